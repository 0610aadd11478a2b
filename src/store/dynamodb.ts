import http from 'node:http';
import https from 'node:https';
import { type Credentials, signRequest } from './sigv4.js';

/** DynamoDB's wire format for one attribute (the subset this service stores). */
export type AttributeValue = { S: string } | { N: string } | { BOOL: boolean } | { NULL: true };
export type Item = Record<string, AttributeValue>;

/** A DynamoDB API action name, e.g. `PutItem` (the request and answer are DynamoDB JSON). */
export type Operation = string;

/** An error answered by DynamoDB (`name` is the exception name, e.g. `ConditionalCheckFailedException`). */
export class DynamoDbError extends Error {
  override readonly name: string;
  constructor(
    name: string,
    message: string,
    readonly statusCode: number,
  ) {
    super(message);
    this.name = name;
  }
}

export interface DynamoDbClientOptions {
  region: string;
  /** Full URL, e.g. `http://localhost:8000`; defaults to the regional AWS endpoint. */
  endpoint?: string;
  credentials: Credentials;
  /** Attempts per call, including the first (throttling, 5xx and network errors are retried). */
  maxAttempts?: number;
  /** Milliseconds a single attempt may take before it is abandoned. */
  timeoutMs?: number;
}

export interface DynamoDbClient {
  send<T = Record<string, unknown>>(operation: Operation, input: object): Promise<T>;
}

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TransactionConflictException',
]);

/** Waits a random time up to `baseMs * 2^attempt`, at most `capMs` ("full jitter" exponential backoff). */
export function backoff(attempt: number, baseMs: number, capMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(capMs, Math.random() * baseMs * 2 ** attempt)));
}

/**
 * A deliberately small DynamoDB client: JSON over one keep-alive connection
 * pool, SigV4-signed, with jittered retries. It exists because the AWS SDK v3
 * spends several times more CPU per call (measured: see README, "Design
 * decisions"), and on Lambda CPU time is billed time.
 */
export function createDynamoDbClient(options: DynamoDbClientOptions): DynamoDbClient {
  const url = new URL(options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`);
  const secure = url.protocol === 'https:';
  const transport = secure ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 50 });
  // 3 attempts of at most 2 s, plus backoff, end well within a 10 s function timeout: a stalled DynamoDB still
  // gets the client a 500 with a request id instead of a Lambda timeout.
  const maxAttempts = options.maxAttempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 2000;

  function attempt(operation: Operation, body: string): Promise<{ status: number; text: string }> {
    const headers = signRequest({
      method: 'POST',
      host: url.host,
      path: '/',
      headers: {
        'content-type': 'application/x-amz-json-1.0',
        'x-amz-target': `DynamoDB_20120810.${operation}`,
      },
      body,
      region: options.region,
      service: 'dynamodb',
      credentials: options.credentials,
      date: new Date(),
    });
    headers['content-length'] = String(Buffer.byteLength(body));
    return new Promise((resolve, reject) => {
      const req = transport.request(
        { protocol: url.protocol, hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
          res.on('error', reject);
        },
      );
      req.setTimeout(timeoutMs, () => req.destroy(new Error(`DynamoDB ${operation} timed out after ${timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  return {
    async send<T>(operation: Operation, input: object): Promise<T> {
      const body = JSON.stringify(input);
      for (let n = 1; ; n++) {
        let outcome: { status: number; text: string } | Error;
        try {
          outcome = await attempt(operation, body);
        } catch (networkError) {
          outcome = networkError instanceof Error ? networkError : new Error(String(networkError));
        }
        if (!(outcome instanceof Error) && outcome.status === 200) return JSON.parse(outcome.text) as T;
        const failure = outcome instanceof Error ? outcome : toDynamoDbError(outcome.status, outcome.text);
        if (!isRetryable(failure) || n >= maxAttempts) throw failure;
        await backoff(n, 25, 1000);
      }
    },
  };
}

function toDynamoDbError(status: number, text: string): DynamoDbError {
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // A proxy or load balancer answered with something that is not DynamoDB JSON.
  }
  const type = String(parsed.__type ?? 'UnknownError');
  return new DynamoDbError(
    type.slice(type.lastIndexOf('#') + 1),
    String(parsed.message ?? parsed.Message ?? `HTTP ${status}`),
    status,
  );
}

/** Throttling, server faults and network errors are worth another attempt; client errors are not. */
function isRetryable(error: Error): boolean {
  if (!(error instanceof DynamoDbError)) return true;
  return error.statusCode >= 500 || RETRYABLE.has(error.name);
}
