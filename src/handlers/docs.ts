import { createDocs } from '../http/docs.js';
import { pathParameter } from '../http/request.js';
import { publicRoute } from '../public.js';

// The viewer's files, at the same place relative to this module in the project and in the function's zip (the
// bundling plugin copies them there: serverless.yml, custom.esbuildBundle.assets).
const docs = createDocs(new URL('../../node_modules/swagger-ui-dist/', import.meta.url));

/** `GET /docs`: the interactive API reference. */
export const pageHandler = publicRoute(async ({ baseUrl }) => docs.page(baseUrl));

/** `GET /docs/{asset}`: the reference page's scripts and styles. */
export const assetHandler = publicRoute(async ({ event }) => docs.asset(event, pathParameter(event, 'asset')));
