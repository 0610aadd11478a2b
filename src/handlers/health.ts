import { API_VERSION, type Health } from '../http/contract.js';
import { json } from '../http/responses.js';
import { publicRoute, storeProbe } from '../public.js';

/**
 * `GET /health`: 200 while the function runs. Where it may (npm start: HEALTH_CHECK_STORE=true), it also asks the
 * store, and answers 503 when the store does not answer (with Retry-After when its trouble is passing); on AWS it
 * touches no table (its role has no access).
 * Never cached: each call is a fresh look.
 */
export const handler = publicRoute(async () => {
  const probe = storeProbe();
  const headers = { 'cache-control': 'no-store' };
  if (!probe) return json(200, { status: 'ok', version: API_VERSION } satisfies Health, headers);
  const store = await probe();
  const answers = store === 'ok';
  const health: Health = {
    status: answers ? 'ok' : 'unavailable',
    version: API_VERSION,
    store: answers ? 'ok' : 'unavailable',
  };
  // Retry-After only when the store's trouble is passing; a broken one (no table) is not worth a retry soon.
  return json(answers ? 200 : 503, health, store === 'unavailable' ? { ...headers, 'retry-after': '2' } : headers);
});
