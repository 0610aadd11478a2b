/**
 * This project's telemetry (src/telemetry.ts), bundled and imported in a fresh process by `npm run bench`, line (h),
 * against powertools.ts: it logs one request and writes its metrics, as a function's first request would.
 */
import { observeRequest } from '../../src/telemetry.js';
import { SAMPLE } from './sample.js';

observeRequest(SAMPLE);
