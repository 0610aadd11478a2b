/**
 * The routes that serve everyone the same and touch no data: no token, no table. Written out here, not read from the
 * source, so that the tests hold serverless.yml, the packages and the OpenAPI document to one list of their own.
 */
export const PUBLIC_ROUTES: readonly string[] = [
  'GET /',
  'GET /health',
  'GET /openapi.json',
  'GET /docs',
  'GET /docs/{asset}',
  'GET /app/{asset}',
  'GET /config.json',
];
