import { HttpError } from '../http/problem.js';
import { pathParameter } from '../http/request.js';
import { json } from '../http/responses.js';
import { type StaticFile, staticFileResponse } from '../http/static-file.js';
import { publicConfig, publicRoute } from '../public.js';
import { webBundle } from '../web/bundle.js';
import { readWebConfig } from '../web/sign-in.js';

// Read once per execution environment: a wrong setting stops the function before it serves anything.
const signIn = readWebConfig(publicConfig.authMode, process.env);

/** The files as served, by name (their gzipped bodies made once each). */
const served = new Map<string, StaticFile>();

/** `GET /app/{asset}`: the web page's script or stylesheet. */
export const assetHandler = publicRoute(async ({ event }) => {
  const name = pathParameter(event, 'asset');
  const { files } = await webBundle();
  const file = Object.hasOwn(files, name) ? files[name] : undefined;
  if (!file) {
    throw new HttpError(404, 'not-found', 'Not Found', `No file ${JSON.stringify(name)} in the web app.`);
  }
  let entry = served.get(name);
  if (!entry) {
    entry = { contentType: file.contentType, body: Buffer.from(file.body) };
    served.set(name, entry);
  }
  return staticFileResponse(event, entry);
});

/** `GET /config.json`: how the web page signs in (public: it holds no secret; the page is a public client). */
export const configHandler = publicRoute(async () => json(200, signIn, { 'cache-control': 'no-cache' }));
