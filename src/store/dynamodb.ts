/**
 * A deliberately small DynamoDB client: JSON over one keep-alive connection pool, signed with `aws4`, with
 * jittered retries. It exists because the AWS SDK v3 spends several times more CPU per call (`npm run bench`,
 * line (i)), and on Lambda CPU time is billed time.
 *
 * The boundary is typed with DynamoDB's own request and answer types, imported from the AWS SDK as types only
 * (nothing of the SDK is bundled): each operation name fixes its input and output type, so no caller casts.
 */
import http from 'node:http';
import https from 'node:https';
import type {
  AttributeValue,
  BatchWriteItemInput,
  BatchWriteItemOutput,
  CreateTableInput,
  CreateTableOutput,
  DeleteItemInput,
  DeleteItemOutput,
  GetItemInput,
  GetItemOutput,
  PutItemInput,
  PutItemOutput,
  QueryInput,
  QueryOutput,
  UpdateItemInput,
  UpdateItemOutput,
} from '@aws-sdk/client-dynamodb';
import aws4 from 'aws4';

/**
 * One stored item in DynamoDB's JSON format. (The SDK's types describe that format exactly, except that binary
 * attributes travel as base64 text: this service stores none.)
 */
export type Item = Record<string, AttributeValue>;

/** The operations this client sends, each with DynamoDB's input and output shape. */
export interface Operations {
  BatchWriteItem: { input: BatchWriteItemInput; output: BatchWriteItemOutput };
  /** Not used by the functions (their role may not create tables): the local stack creates its tables with it. */
  CreateTable: { input: CreateTableInput; output: CreateTableOutput };
  DeleteItem: { input: DeleteItemInput; output: DeleteItemOutput };
  GetItem: { input: GetItemInput; output: GetItemOutput };
  PutItem: { input: PutItemInput; output: PutItemOutput };
  Query: { input: QueryInput; output: QueryOutput };
  UpdateItem: { input: UpdateItemInput; output: UpdateItemOutput };
}

export type Operation = keyof Operations;

/** AWS credentials as Lambda provides them in its environment. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
}

/** An error answered by DynamoDB (`name` is the exception name, e.g. `ValidationException`). */
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

/**
 * A write's condition was false. `item` is what was stored when the write asked for it with
 * `ReturnValuesOnConditionCheckFailure: 'ALL_OLD'` (absent when there was no item), so the caller learns what
 * stopped the write without a second read.
 */
export class ConditionalCheckFailedError extends DynamoDbError {
  constructor(
    message: string,
    statusCode: number,
    readonly item: Item | undefined,
  ) {
    super('ConditionalCheckFailedException', message, statusCode);
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
  send<O extends Operation>(operation: O, input: Operations[O]['input']): Promise<Operations[O]['output']>;
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

interface Answer {
  status: number;
  text: string;
}

export function createDynamoDbClient(options: DynamoDbClientOptions): DynamoDbClient {
  const url = new URL(options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`);
  const transport = url.protocol === 'https:' ? https : http;
  const agent = new transport.Agent({ keepAlive: true, maxSockets: 50 });
  // 3 attempts of at most 2 s, plus backoff, end well within a 10 s function timeout: a stalled DynamoDB still
  // gets the client a 500 with a request id instead of a Lambda timeout.
  const maxAttempts = options.maxAttempts ?? 3;
  const timeoutMs = options.timeoutMs ?? 2000;

  function attempt(operation: Operation, body: string): Promise<Answer> {
    // Signed anew for each attempt: the signature covers the time.
    const { headers } = aws4.sign(
      {
        host: url.host,
        path: '/',
        method: 'POST',
        service: 'dynamodb',
        region: options.region,
        headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
        body,
      },
      options.credentials,
    );
    return new Promise((resolve, reject) => {
      const req = transport.request(
        { hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers, agent },
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
    async send<O extends Operation>(operation: O, input: Operations[O]['input']): Promise<Operations[O]['output']> {
      const body = JSON.stringify(input);
      for (let n = 1; ; n++) {
        let outcome: Answer | Error;
        try {
          outcome = await attempt(operation, body);
        } catch (networkError) {
          outcome = networkError instanceof Error ? networkError : new Error(String(networkError));
        }
        if (!(outcome instanceof Error) && outcome.status === 200) {
          return JSON.parse(outcome.text) as Operations[O]['output'];
        }
        const failure = outcome instanceof Error ? outcome : toDynamoDbError(outcome);
        if (!isRetryable(failure) || n >= maxAttempts) throw failure;
        await backoff(n, 25, 1000);
      }
    },
  };
}

function toDynamoDbError({ status, text }: Answer): DynamoDbError {
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown; Item?: Item } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // A proxy or load balancer answered with something that is not DynamoDB JSON.
  }
  const type = String(parsed.__type ?? 'UnknownError');
  const name = type.slice(type.lastIndexOf('#') + 1);
  const message = String(parsed.message ?? parsed.Message ?? `HTTP ${status}`);
  if (name === 'ConditionalCheckFailedException') return new ConditionalCheckFailedError(message, status, parsed.Item);
  return new DynamoDbError(name, message, status);
}

/** Throttling, server faults and network errors are worth another attempt; client errors are not. */
function isRetryable(error: Error): boolean {
  if (!(error instanceof DynamoDbError)) return true;
  return error.statusCode >= 500 || RETRYABLE.has(error.name);
}
