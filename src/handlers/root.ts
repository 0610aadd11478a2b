import { type ApiIndex, SIGN_IN_RETURN_PARAMETERS } from '../http/contract.js';
import { mediaTypeWeight } from '../http/negotiation.js';
import { json } from '../http/responses.js';
import { publicConfig, publicRoute } from '../public.js';
import { webBundleNames } from '../web/bundle.js';
import { webPage } from '../web/page.js';
import { readWebConfig, signInConnectSources } from '../web/sign-in.js';

/** Whether the client prefers a page to JSON (a browser weighs text/html above the rest; curl and fetch do not). */
function prefersHtml(accept: string | undefined): boolean {
  const html = mediaTypeWeight(accept, 'text/html');
  return html > 0 && html > mediaTypeWeight(accept, 'application/json');
}

// The page may call the API where its public URL says it is, and the sign-in endpoints.
const connectSources = [
  ...(publicConfig.publicBaseUrl ? [new URL(publicConfig.publicBaseUrl).origin] : []),
  ...signInConnectSources(readWebConfig(publicConfig.authMode, process.env)),
];

/**
 * `GET /`: for a browser, the web app (src/web/page.ts); for anything that asks for JSON, where to go from the API's
 * root: the docs, the OpenAPI document and the todos.
 */
export const handler = publicRoute(
  async ({ event, baseUrl }) => {
    const index: ApiIndex = {
      name: 'TODO API',
      docs: `${baseUrl}/docs`,
      openapi: `${baseUrl}/openapi.json`,
      todos: `${baseUrl}/todos`,
    };
    const headers = { vary: 'Accept', 'cache-control': 'public, max-age=300' };
    if (!prefersHtml(event.headers.accept)) return json(200, index, headers);
    return webPage(await webBundleNames(), { connectSources });
    // The issuer sends the person back to the page with the sign-in's answer in the query (the page reads it).
  },
  { query: SIGN_IN_RETURN_PARAMETERS },
);
