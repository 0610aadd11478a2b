import type { ApiIndex } from '../http/contract.js';
import { mediaTypeWeight } from '../http/negotiation.js';
import { json } from '../http/responses.js';
import { publicRoute } from '../public.js';

/** Whether the client prefers a page to JSON (a browser weighs text/html above the rest; curl and fetch do not). */
function prefersHtml(accept: string | undefined): boolean {
  const html = mediaTypeWeight(accept, 'text/html');
  return html > 0 && html > mediaTypeWeight(accept, 'application/json');
}

const escapeHtml = (text: string) => text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);

/** `GET /`: where to go from the API's root: the docs, the OpenAPI document and the todos. */
export const handler = publicRoute(async ({ event, baseUrl }) => {
  const index: ApiIndex = {
    name: 'TODO API',
    docs: `${baseUrl}/docs`,
    openapi: `${baseUrl}/openapi.json`,
    todos: `${baseUrl}/todos`,
  };
  const headers = { vary: 'Accept', 'cache-control': 'public, max-age=300' };
  if (!prefersHtml(event.headers.accept)) return json(200, index, headers);
  const link = (href: string, text: string) => `<li><a href="${escapeHtml(href)}">${text}</a></li>`;
  const body = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="icon" href="data:,">
<title>TODO API</title></head>
<body><h1>TODO API</h1><ul>
${link(index.docs, 'API reference (try every call)')}
${link(index.openapi, 'OpenAPI 3.1 document')}
</ul></body></html>
`;
  return {
    statusCode: 200,
    headers: {
      ...headers,
      'content-type': 'text/html; charset=utf-8',
      'content-security-policy': "default-src 'none'",
    },
    body,
  };
});
