import { json } from '../http/responses.js';
import { publicConfig, publicRoute } from '../public.js';
import { readWebConfig } from '../web/sign-in.js';

// Read once per execution environment: a wrong setting stops the function before it serves anything. (A module of
// its own, so that this function's bundle does not carry the web page's files.)
const signIn = readWebConfig(publicConfig.authMode, process.env);

/** `GET /config.json`: how the web page signs in (public: it holds no secret; the page is a public client). */
export const handler = publicRoute(async () => json(200, signIn, { 'cache-control': 'no-cache' }));
