/**
 * What the functions tell their operator: one JSON log line per request, and its metrics in CloudWatch's embedded
 * metric format (EMF), both written to the function's log, where CloudWatch turns the EMF lines into metrics.
 * Nothing a client sent is logged: no token, no title; the owner only as a short hash, enough to tell one caller's
 * requests from another's.
 *
 * The lines are those of AWS Lambda Powertools' Logger and Metrics (`level`, `message`, `timestamp`, `service`,
 * `xray_trace_id`; the EMF document), and read the same variables: LOG_LEVEL (DEBUG, INFO, WARN, ERROR, SILENT;
 * INFO by default), POWERTOOLS_SERVICE_NAME, POWERTOOLS_METRICS_NAMESPACE, POWERTOOLS_METRICS_DISABLED. Powertools
 * itself added 14 ms, about a quarter, to a cold start (`npm run bench`, line (h)), and the few lines below do the
 * same job.
 */
import { hash } from 'node:crypto';
import type { RequestObserver, RequestRecord } from './http/handler.js';

const LEVELS = { DEBUG: 8, INFO: 12, WARN: 16, ERROR: 20, SILENT: 28 } as const;
type Level = Exclude<keyof typeof LEVELS, 'SILENT'>;

const SERVICE = process.env.POWERTOOLS_SERVICE_NAME || 'todo-api';
const NAMESPACE = process.env.POWERTOOLS_METRICS_NAMESPACE || 'TodoApi';
const THRESHOLD = LEVELS[(process.env.LOG_LEVEL ?? '').toUpperCase() as keyof typeof LEVELS] ?? LEVELS.INFO;
const METRICS = process.env.POWERTOOLS_METRICS_DISABLED !== 'true';

/** An error as a log line shows it: name, message, stack and its causes (or the value of a thrown non-Error). */
function describeError(error: unknown, depth = 0): unknown {
  if (!(error instanceof Error)) return error === undefined ? undefined : { value: String(error) };
  return {
    name: error.name,
    message: error.message,
    stack: error.stack,
    ...(error.cause === undefined || depth >= 4 ? {} : { cause: describeError(error.cause, depth + 1) }),
  };
}

function log(level: Level, message: string, fields: Record<string, unknown>): void {
  if (LEVELS[level] < THRESHOLD) return;
  const trace = process.env._X_AMZN_TRACE_ID;
  const line = JSON.stringify({
    level,
    message,
    timestamp: new Date().toISOString(),
    service: SERVICE,
    ...(trace ? { xray_trace_id: trace.split(';')[0]?.replace('Root=', '') } : {}),
    ...fields,
  });
  (level === 'WARN' || level === 'ERROR' ? process.stderr : process.stdout).write(`${line}\n`);
}

/** One EMF document: `values` as Count metrics, under `dimensions` (each of them a field of the document). */
function emitMetrics(values: Record<string, number>, dimensions: Record<string, string>): void {
  process.stdout.write(
    `${JSON.stringify({
      _aws: {
        Timestamp: Date.now(),
        CloudWatchMetrics: [
          {
            Namespace: NAMESPACE,
            Dimensions: [Object.keys(dimensions)],
            Metrics: Object.keys(values).map((name) => ({ Name: name, Unit: 'Count' })),
          },
        ],
      },
      ...dimensions,
      ...values,
    })}\n`,
  );
}

/** A stable, short, one-way name for an owner: the same caller's requests can be grouped, nobody can be named. */
export function ownerHash(owner: string): string {
  return hash('sha256', owner, 'base64url').slice(0, 12);
}

/** The fields of a request's log line. */
export function requestFields(record: RequestRecord): Record<string, unknown> {
  return {
    requestId: record.requestId,
    ...(record.awsRequestId ? { awsRequestId: record.awsRequestId } : {}),
    route: record.routeKey,
    status: record.status,
    latencyMs: record.latencyMs,
    coldStart: record.coldStart,
    ...(record.owner === undefined ? {} : { owner: ownerHash(record.owner) }),
    ...(record.problem ? { problem: record.problem } : {}),
    ...(Object.keys(record.counts).length > 0 ? { counts: record.counts } : {}),
  };
}

/** One log line and the metrics of an answered request. */
export const observeRequest: RequestObserver = (record) => {
  const fields = requestFields(record);
  if (record.status === 503) {
    // The store's passing trouble (throttled, slow, unreachable), not a bug: a warning, with its cause.
    log('WARN', 'Store unavailable', { ...fields, error: describeError(record.fault) });
  } else if (record.status >= 500) {
    log('ERROR', 'Unhandled fault', { ...fields, error: describeError(record.fault) });
  } else {
    log('INFO', 'Request', fields);
  }
  if (!METRICS) return;
  if (Object.keys(record.counts).length > 0) emitMetrics(record.counts as Record<string, number>, { service: SERVICE });
  // Errors by kind, each kind its own dimension value: which refusals and faults, not only how many.
  if (record.status >= 400 && record.problem) {
    emitMetrics(
      { [record.status >= 500 ? 'ServerErrors' : 'ClientErrors']: 1 },
      { service: SERVICE, problem: record.problem },
    );
  }
};

/** A fault the code recovered from by itself: the request succeeded, but an operator should know. */
export function logWarning(message: string, error: unknown): void {
  log('WARN', message, { error: describeError(error) });
}
