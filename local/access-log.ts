/**
 * `npm start`'s line per request, from the gateway's access entries: for a person (the default), or JSON (LOG_FORMAT
 * =json) with the fields of the HTTP API access log that serverless.yml configures on AWS.
 */
import type { AccessEntry } from './gateway.js';

export type LogFormat = 'text' | 'json';
export const LOG_FORMATS: readonly LogFormat[] = ['text', 'json'];

/** What to do about a refusal, when the reason says it. */
function hint(reason: string, tokenCommand: string): string {
  if (/^token expired|a key this issuer does not have|^no token/.test(reason)) return `; get a token: ${tokenCommand}`;
  return '';
}

/**
 * `14:03:07.123 POST /todos 201 12 ms`; a 401 says why (`… 401 1 ms: token expired at …; a new token: …`).
 * `tokenCommand` is how this server's tokens are made (it names DATA_DIR when it is not the default).
 */
export function textLine(entry: AccessEntry, tokenCommand: string): string {
  const t = entry.time;
  const pad = (n: number, width = 2) => String(n).padStart(width, '0');
  const time = `${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}.${pad(t.getMilliseconds(), 3)}`;
  const line = `${time} ${entry.method} ${entry.path} ${entry.status} ${entry.latencyMs} ms`;
  return entry.authorizerError ? `${line}: ${entry.authorizerError}${hint(entry.authorizerError, tokenCommand)}` : line;
}

/**
 * One JSON access log line, with the fields API Gateway writes on AWS as serverless.yml configures them (plus the
 * authorizer's reason); numbers stay numbers here.
 */
export function jsonLine(entry: AccessEntry): string {
  return JSON.stringify({
    requestId: entry.requestId,
    ip: entry.ip,
    requestTime: entry.time.toISOString(),
    httpMethod: entry.method,
    // The route key, never the path: a path holds ids, and whatever else a client puts in it.
    routeKey: entry.routeKey ?? '-',
    status: entry.status,
    protocol: entry.protocol,
    responseLength: entry.responseLength,
    responseLatency: entry.latencyMs,
    ...(entry.integrationLatencyMs === undefined ? {} : { integrationLatency: entry.integrationLatencyMs }),
    ...(entry.authorizerError ? { authorizerError: entry.authorizerError } : {}),
  });
}

/**
 * Lines written together, once per turn of the event loop, instead of one write each: under load a write per request
 * is a system call per request, about a tenth of the server's CPU. `flush` writes what waits at once (before any
 * other output, and at exit).
 */
export function batchedLines(write: (text: string) => void): { add(line: string): void; flush(): void } {
  let waiting: string[] = [];
  let scheduled = false;
  const flush = () => {
    scheduled = false;
    if (waiting.length === 0) return;
    const text = `${waiting.join('\n')}\n`;
    waiting = [];
    write(text);
  };
  return {
    add(line) {
      waiting.push(line);
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
    },
    flush,
  };
}
