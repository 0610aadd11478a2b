import { HttpError } from '../http/problem.js';
import { pathParameter } from '../http/request.js';
import { type StaticFile, staticFileResponse } from '../http/static-file.js';
import { publicRoute } from '../public.js';
import { webBundle } from '../web/bundle.js';

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
