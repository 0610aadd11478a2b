/**
 * The interactive API reference at `/docs`: Swagger UI (the `swagger-ui-dist` package) over `/openapi.json`, where
 * a person can authorize with a token and try every call. Its files are served by the API itself, locally and on
 * AWS alike, so the page needs no internet and no CDN: names that change with their content, cached for a year,
 * and compressed when the browser takes gzip.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './problem.js';
import type { HttpResponse } from './responses.js';

interface Asset {
  contentType: string;
  body: Buffer;
  /** The body gzipped, made on first request for it. */
  gzipped?: Buffer;
}

// Starts Swagger UI on the page's element, with the document whose URL the page names.
const START = `window.addEventListener('load', () => {
  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: new URL(root.dataset.openapi, window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    persistAuthorization: true,
    tryItOutEnabled: true,
    validatorUrl: null,
  });
});
`;

/** The page and its files, from the viewer's directory (`swagger-ui-dist`, wherever the function finds it). */
export function createDocs(viewerDirectory: URL) {
  let assets: Map<string, Asset> | undefined;
  let names: { script: string; style: string; start: string } | undefined;

  /** The files by their content-named names, read once (the script is 1.7 MB: only when first asked for). */
  function load(): { assets: Map<string, Asset>; names: { script: string; style: string; start: string } } {
    if (assets && names) return { assets, names };
    const read = (file: string) => readFileSync(new URL(file, viewerDirectory));
    // The bundle ends with a source map comment for a map that is not served.
    const script = Buffer.from(
      read('swagger-ui-bundle.js')
        .toString('utf8')
        .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'),
    );
    const files: Array<[string, string, Buffer]> = [
      ['swagger-ui-bundle', 'js', script],
      ['swagger-ui', 'css', read('swagger-ui.css')],
      ['start', 'js', Buffer.from(START)],
    ];
    const loaded = new Map<string, Asset>();
    const named: string[] = [];
    for (const [stem, extension, body] of files) {
      const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
      const name = `${stem}.${hash}.${extension}`;
      named.push(name);
      loaded.set(name, {
        contentType: extension === 'js' ? 'text/javascript; charset=utf-8' : 'text/css; charset=utf-8',
        body,
      });
    }
    assets = loaded;
    names = { script: named[0] ?? '', style: named[1] ?? '', start: named[2] ?? '' };
    return { assets, names };
  }

  return {
    /** `GET /docs`: the page (never cached, so that it always names the current files). */
    page(): HttpResponse {
      const { names: file } = load();
      const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>TODO API reference</title>
<link rel="stylesheet" href="docs/${file.style}">
</head>
<body>
<div id="swagger-ui" data-openapi="openapi.json"></div>
<script src="docs/${file.script}"></script>
<script src="docs/${file.start}"></script>
</body>
</html>
`;
      return {
        statusCode: 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          'cache-control': 'no-cache',
          // Only this origin's scripts, styles and API: the page runs no inline script and loads nothing else.
          'content-security-policy':
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
          'x-content-type-options': 'nosniff',
        },
        body: html,
      };
    },

    /** `GET /docs/{asset}`: one of the page's files. */
    asset(event: APIGatewayProxyEventV2, name: string): HttpResponse {
      const asset = load().assets.get(name);
      if (!asset) throw new HttpError(404, 'not-found', 'Not Found', `No file ${JSON.stringify(name)} in the docs.`);
      const headers = {
        'content-type': asset.contentType,
        // The name changes with the content: a year, and never revalidated.
        'cache-control': 'public, max-age=31536000, immutable',
        'x-content-type-options': 'nosniff',
        vary: 'Accept-Encoding',
      };
      if (/\bgzip\b/.test(event.headers['accept-encoding'] ?? '')) {
        asset.gzipped ??= gzipSync(asset.body);
        return {
          statusCode: 200,
          headers: { ...headers, 'content-encoding': 'gzip' },
          body: asset.gzipped.toString('base64'),
          isBase64Encoded: true,
        };
      }
      return { statusCode: 200, headers, body: asset.body.toString('utf8') };
    },
  };
}
