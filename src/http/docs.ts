/**
 * The interactive API reference at `/docs`: Swagger UI (the `swagger-ui-dist` package) over `/openapi.json`, where
 * a person can authorize with a token and try every call. Its files are served by the API itself, locally and on
 * AWS alike, so the page needs no internet and no CDN: names that change with their content, cached for a year,
 * and compressed when the browser takes gzip.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { HttpError } from './problem.js';
import type { HttpResponse } from './responses.js';
import { type StaticFile, staticFileResponse } from './static-file.js';

const CONTENT_TYPES = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
};

type Asset = StaticFile;

// Starts Swagger UI on the page's element, with the document whose URL the page names.
const START = `window.addEventListener('load', () => {
  const root = document.getElementById('swagger-ui');
  window.ui = SwaggerUIBundle({
    url: new URL(root.dataset.openapi, window.location.href).href,
    dom_id: '#swagger-ui',
    deepLinking: true,
    // The token stays in this tab only: it is not written to the origin's storage.
    persistAuthorization: false,
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
    const loaded = new Map<string, Asset>();
    const add = (stem: string, extension: keyof typeof CONTENT_TYPES, body: Buffer): string => {
      const hash = createHash('sha256').update(body).digest('base64url').slice(0, 12);
      const name = `${stem}.${hash}.${extension}`;
      loaded.set(name, { contentType: CONTENT_TYPES[extension], body });
      return name;
    };
    // The viewer's licences (Apache-2.0) go with its code to every browser that receives it.
    const licenses = [
      add('swagger-ui-bundle.js.LICENSE', 'txt', read('swagger-ui-bundle.js.LICENSE.txt')),
      add('LICENSE', 'txt', read('LICENSE')),
      add('NOTICE', 'txt', read('NOTICE')),
    ];
    // The bundle's first comment names its licence file, which is served under its own content name; the bundle
    // ends with a comment naming a source map that is not served.
    const script = Buffer.from(
      read('swagger-ui-bundle.js')
        .toString('utf8')
        .replace(
          /^\/\*! For license information please see swagger-ui-bundle\.js\.LICENSE\.txt \*\//,
          `/*! For license information please see ${licenses.join(', ')} (next to this file) */`,
        )
        .replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n'),
    );
    names = {
      script: add('swagger-ui-bundle', 'js', script),
      style: add('swagger-ui', 'css', read('swagger-ui.css')),
      start: add('start', 'js', Buffer.from(START)),
    };
    assets = loaded;
    return { assets, names };
  }

  return {
    /**
     * `GET /docs`: the page (never cached, so that it always names the current files). `apiUrl` is where the API is
     * reached, which the page may call (it is another origin when PUBLIC_BASE_URL names one).
     */
    page(apiUrl: string): HttpResponse {
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
          // Only this origin's scripts and styles, and calls to the API: the page runs no inline script and loads
          // nothing else.
          'content-security-policy':
            "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; " +
            `connect-src 'self' ${new URL(apiUrl).origin}; frame-ancestors 'none'; base-uri 'none'; ` +
            "form-action 'none'",
          'x-content-type-options': 'nosniff',
        },
        body: html,
      };
    },

    /** `GET /docs/{asset}`: one of the page's files. */
    asset(event: APIGatewayProxyEventV2, name: string): HttpResponse {
      const asset = load().assets.get(name);
      if (!asset) throw new HttpError(404, 'not-found', 'Not Found', `No file ${JSON.stringify(name)} in the docs.`);
      return staticFileResponse(event, asset);
    },
  };
}
