import { openApiDocument } from '../http/openapi.js';
import { jsonText } from '../http/responses.js';
import { publicConfig, publicRoute } from '../public.js';

// Built once per execution environment; only the server URL (the caller's own) changes from request to request.
let document: Record<string, unknown> | undefined;

/** `GET /openapi.json`: this API's OpenAPI 3.1 document, public and cacheable. */
export const handler = publicRoute(async ({ baseUrl }) => {
  document ??= openApiDocument({ serverUrl: baseUrl, authMode: publicConfig.authMode });
  const body = JSON.stringify({ ...document, servers: [{ url: baseUrl }] });
  // The server URL follows the Host the caller used (unless PUBLIC_BASE_URL is set): caches must keep them apart.
  return jsonText(200, body, { 'cache-control': 'public, max-age=300', vary: 'Host' });
});
