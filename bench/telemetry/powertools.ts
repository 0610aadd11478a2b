/**
 * The same telemetry as src/telemetry.ts, written with AWS Lambda Powertools' Logger and Metrics, as it first was:
 * bundled and imported in a fresh process by `npm run bench`, line (h), against ours.ts. It logs one request and
 * publishes its metrics, as a function's first request would.
 *
 * What the functions tell their operator: one JSON log line per request (AWS Lambda Powertools Logger) and its
 * metrics in CloudWatch's embedded metric format (Powertools Metrics), both written to the function's log, where
 * CloudWatch turns the metrics into metrics. Nothing a client sent is logged: no token, no title; the owner only
 * as a short hash, enough to tell one caller's requests from another's.
 *
 * Settings come from the environment (serverless.yml): LOG_LEVEL (DEBUG, INFO, WARN, ERROR, SILENT; INFO by
 * default), POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, and POWERTOOLS_METRICS_DISABLED (`npm start`
 * sets it unless LOG_FORMAT=json).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics, MetricUnit } from '@aws-lambda-powertools/metrics';
import type { RequestObserver, RequestRecord } from '../../src/http/handler.js';
// The fields themselves are the project's (a few lines, no dependency): only how they are written differs.
import { requestFields } from '../../src/telemetry.js';
import { SAMPLE } from './sample.js';

const SERVICE = process.env.POWERTOOLS_SERVICE_NAME || 'todo-api';

const logger = new Logger({ serviceName: SERVICE });
const metrics = new Metrics({
  serviceName: SERVICE,
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || 'TodoApi',
});

/** One log line and the metrics of an answered request. */
export const observeRequest: RequestObserver = (record) => {
  const fields = requestFields(record);
  if (record.status === 503) {
    // The store's passing trouble (throttled, slow, unreachable), not a bug: a warning, with its cause.
    logger.warn('Store unavailable', { ...fields, error: record.fault });
  } else if (record.status >= 500) {
    logger.error('Unhandled fault', { ...fields, error: record.fault });
  } else {
    logger.info('Request', fields);
  }
  publishMetrics(record);
};

function publishMetrics(record: RequestRecord): void {
  for (const [name, value] of Object.entries(record.counts)) metrics.addMetric(name, MetricUnit.Count, value ?? 0);
  if (Object.keys(record.counts).length > 0) metrics.publishStoredMetrics();
  // Errors by kind, each kind its own dimension value: which refusals and faults, not only how many.
  if (record.status >= 400 && record.problem) {
    metrics
      .singleMetric()
      .addDimension('problem', record.problem)
      .addMetric(record.status >= 500 ? 'ServerErrors' : 'ClientErrors', MetricUnit.Count, 1);
  }
}

/** A fault the code recovered from by itself: the request succeeded, but an operator should know. */
export function logWarning(message: string, error: unknown): void {
  logger.warn(message, { error });
}

observeRequest(SAMPLE);
