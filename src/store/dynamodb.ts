/**
 * A deliberately small DynamoDB client: JSON over one keep-alive connection pool, signed with SigV4 (`sigv4.ts`), with
 * jittered retries within a time budget (STORE_BUDGET); when the store stays throttled, faulty or silent through
 * them, the call fails with a `StoreUnavailableError` (a 503 with Retry-After). It exists because the AWS SDK v3 spends several times more CPU per call (`npm run bench`,
 * line (i)), and on Lambda CPU time is billed time.
 *
 * The boundary is typed with DynamoDB's own request and answer types, imported from the AWS SDK as types only
 * (nothing of the SDK is bundled): each operation name fixes its input and output type, so no caller casts.
 */
import type { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import type {
  AttributeValue,
  BatchWriteItemInput,
  BatchWriteItemOutput,
  CreateTableInput,
  CreateTableOutput,
  DeleteItemInput,
  DeleteItemOutput,
  DescribeTableInput,
  DescribeTableOutput,
  GetItemInput,
  GetItemOutput,
  PutItemInput,
  PutItemOutput,
  QueryInput,
  QueryOutput,
  UpdateItemInput,
  UpdateItemOutput,
} from '@aws-sdk/client-dynamodb';
import { StoreUnavailableError } from '../todos/errors.js';
import { type Credentials, createSigner } from './sigv4.js';

export type { Credentials } from './sigv4.js';

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
  DescribeTable: { input: DescribeTableInput; output: DescribeTableOutput };
  DeleteItem: { input: DeleteItemInput; output: DeleteItemOutput };
  GetItem: { input: GetItemInput; output: GetItemOutput };
  PutItem: { input: PutItemInput; output: PutItemOutput };
  Query: { input: QueryInput; output: QueryOutput };
  UpdateItem: { input: UpdateItemInput; output: UpdateItemOutput };
}

export type Operation = keyof Operations;

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
    /**
     * An earlier attempt of the same call failed in a way that may have applied the write (its answer was lost, or
     * the store faulted): the condition may have failed on this very write's own effect.
     */
    readonly afterUncertainAttempt = false,
  ) {
    super('ConditionalCheckFailedException', message, statusCode);
  }
}

export interface DynamoDbClientOptions {
  region: string;
  /** Full URL, e.g. `http://localhost:8000`; defaults to the regional AWS endpoint. */
  endpoint?: string;
  credentials: Credentials;
  /** Attempts per call, the first included (default: STORE_BUDGET.attempts). */
  maxAttempts?: number;
  /** Milliseconds one attempt may take before it is abandoned (default: STORE_BUDGET.attemptTimeoutMs). */
  timeoutMs?: number;
  /** Milliseconds all attempts of one call may take together (default: STORE_BUDGET.totalMs). */
  totalMs?: number;
}

export interface DynamoDbClient {
  send<O extends Operation>(operation: O, input: Operations[O]['input']): Promise<Operations[O]['output']>;
}

/**
 * How long the functions wait on DynamoDB, all in one place.
 *
 * DynamoDB answers the item reads and writes and the one-page Queries of this API in single-digit milliseconds; an
 * attempt still unanswered after a second is stuck (a half-open connection, a node being replaced), and a new
 * attempt on a new connection does better than waiting on. Three attempts of at most a second, with short jittered
 * waits between them, all within 2.4 s, give a client its 503 within 3 s when the store hangs, instead of holding
 * it for the function's whole timeout; a throttled or briefly failing store usually answers the second attempt.
 * On Lambda the function's own deadline caps it too, less a margin to answer, so that the function always answers
 * before it is killed (a killed function is API Gateway's bare 500, with no Retry-After).
 */
export const STORE_BUDGET = {
  attempts: 3,
  attemptTimeoutMs: 1000,
  totalMs: 2400,
  /** Full-jitter exponential backoff between attempts: random up to base × 2^n, at most cap. */
  backoffBaseMs: 25,
  backoffCapMs: 250,
  /** Left free before the function's deadline, to build and send the answer. */
  answerMarginMs: 300,
  /** An attempt with less time than this left is not started. */
  minAttemptMs: 50,
  /**
   * Once a call of a request has found the store unavailable, the request's later calls (clean-up, such as ending
   * an idempotency lease) get one short attempt: the answer is already a 503, and must not wait much longer.
   */
  afterTroubleMs: 300,
  /** Retry-After (seconds) when DynamoDB throttled: capacity comes back within a second or so. */
  throttledRetryAfterS: 1,
  /** Retry-After (seconds) when it failed or did not answer: give it a little longer. */
  unavailableRetryAfterS: 2,
} as const;

/** What the store did to one request: attempts it retried, and calls that ended unavailable (a 503). */
export interface StoreStats {
  retries: number;
  unavailable: number;
}

/** The deadline of the request being served, whether the store has already failed it, and its tally. */
interface RequestBudget {
  deadline: number;
  troubled: boolean;
  stats: StoreStats | undefined;
}

/**
 * How a store call finds its request's budget. A request that runs alone (on Lambda, every request: an execution
 * environment serves one at a time) keeps it in `alone`; requests that overlap (`npm start`, the tests) each keep it
 * in an AsyncLocalStorage, which follows the request's own asynchronous calls. AsyncLocalStorage is not used for a
 * request alone because its first use cost a cold start about 1 ms (it turns on a hook that runs for every promise
 * from then on: `npm run bench`, line (a)). Either way a call finds its own request's budget, as long as it is made
 * in the course of its request's `work` (the store calls of this code all are: each is awaited by its request).
 */
let alone: RequestBudget | undefined;
let inFlight = 0;
let budgets: AsyncLocalStorage<RequestBudget> | undefined;

const currentBudget = (): RequestBudget | undefined => budgets?.getStore() ?? alone;

/**
 * Runs `work` (one request) with every store call in it bounded by `deadline` (epoch ms, the function's own: on
 * Lambda, now + `context.getRemainingTimeInMillis()`), less the margin to answer.
 */
export async function withStoreDeadline<T>(deadline: number, work: () => Promise<T>, stats?: StoreStats): Promise<T> {
  const budget: RequestBudget = { deadline, troubled: false, stats };
  if (inFlight === 0 && currentBudget() === undefined) {
    inFlight++;
    alone = budget;
    try {
      return await work();
    } finally {
      inFlight--;
      alone = undefined;
    }
  }
  inFlight++;
  try {
    budgets ??= new (await import('node:async_hooks')).AsyncLocalStorage<RequestBudget>();
    return await budgets.run(budget, work);
  } finally {
    inFlight--;
  }
}

/** DynamoDB's names for "too many requests": nothing was applied, and a later attempt is likely to succeed. */
const THROTTLING = new Set(['ProvisionedThroughputExceededException', 'ThrottlingException', 'RequestLimitExceeded']);
/** Other answers that say "try again", whatever their status. */
const RETRYABLE = new Set([...THROTTLING, 'InternalServerError', 'ServiceUnavailable', 'TransactionConflictException']);

/** Waits a random time up to `baseMs * 2^attempt`, at most `capMs` ("full jitter" exponential backoff). */
export function backoff(attempt: number, baseMs: number, capMs: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.min(capMs, Math.random() * baseMs * 2 ** attempt)));
}

interface Answer {
  status: number;
  text: string;
}

/** An attempt that got no (complete) answer in its time. */
class AttemptTimeoutError extends Error {
  override readonly name = 'AttemptTimeoutError';
}

/** How the client reaches its endpoint: node:http or node:https, and its pool of keep-alive connections. */
interface Transport {
  request: typeof http.request;
  agent: http.Agent;
}

const transportOf = (module: Pick<typeof http, 'request' | 'Agent'>): Transport => ({
  request: module.request,
  agent: new module.Agent({ keepAlive: true, maxSockets: 50 }),
});

export function createDynamoDbClient(options: DynamoDbClientOptions): DynamoDbClient {
  const url = new URL(options.endpoint ?? `https://dynamodb.${options.region}.amazonaws.com`);
  // node:https (with node:tls) is loaded by the first call that needs it, not by every cold start: a local endpoint
  // is plain HTTP, and loading node:https anyway cost such a cold start 1 to 4 ms (`npm run bench`, line (a)).
  const plain = url.protocol === 'https:' ? undefined : transportOf(http);
  let secure: Promise<Transport> | undefined;
  const secureTransport = () => {
    secure ??= import('node:https').then(transportOf);
    return secure;
  };
  const sign = createSigner({ credentials: options.credentials, region: options.region, service: 'dynamodb' });
  const maxAttempts = options.maxAttempts ?? STORE_BUDGET.attempts;
  const attemptTimeoutMs = options.timeoutMs ?? STORE_BUDGET.attemptTimeoutMs;
  const totalMs = options.totalMs ?? STORE_BUDGET.totalMs;

  async function attempt(operation: Operation, body: string, timeoutMs: number): Promise<Answer> {
    const { request, agent } = plain ?? (await secureTransport());
    // Signed anew for each attempt: the signature covers the time.
    const headers = sign({
      host: url.host,
      headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': `DynamoDB_20120810.${operation}` },
      body,
    });
    return new Promise((resolve, reject) => {
      const req = request(
        { hostname: url.hostname, port: url.port, path: '/', method: 'POST', headers, agent },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            clearTimeout(timer);
            resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
          });
          res.on('error', reject);
        },
      );
      // One timer for the whole exchange (an idle-socket timeout would let a slow trickle of bytes run on).
      const timer = setTimeout(
        () => req.destroy(new AttemptTimeoutError(`DynamoDB ${operation} got no answer in ${timeoutMs} ms`)),
        timeoutMs,
      );
      req.on('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      req.end(body);
    });
  }

  return {
    async send<O extends Operation>(operation: O, input: Operations[O]['input']): Promise<Operations[O]['output']> {
      const body = JSON.stringify(input);
      const request = currentBudget();
      const troubled = request?.troubled === true;
      const end = Math.min(
        Date.now() + (troubled ? STORE_BUDGET.afterTroubleMs : totalMs),
        (request?.deadline ?? Number.POSITIVE_INFINITY) - STORE_BUDGET.answerMarginMs,
      );
      const attempts = troubled ? 1 : maxAttempts;
      // Whether an attempt that failed may have been applied all the same (its answer lost, or a server fault).
      let uncertain = false;
      let last: Error | undefined;
      for (let n = 1; ; n++) {
        const left = end - Date.now();
        if (left < STORE_BUDGET.minAttemptMs) {
          throw unavailable(request, last ?? new AttemptTimeoutError(`No time left to call DynamoDB ${operation}`));
        }
        let outcome: Answer | Error;
        try {
          outcome = await attempt(operation, body, Math.min(attemptTimeoutMs, left));
        } catch (networkError) {
          outcome = networkError instanceof Error ? networkError : new Error(String(networkError));
        }
        if (!(outcome instanceof Error) && outcome.status === 200) {
          // A 200 that is not JSON is a broken store, not a passing one: it stays a fault (a 500).
          return JSON.parse(outcome.text) as Operations[O]['output'];
        }
        const failure = outcome instanceof Error ? outcome : toDynamoDbError(outcome, uncertain);
        if (!isTransient(failure)) throw failure;
        uncertain ||= mayHaveBeenApplied(failure);
        last = failure;
        if (n >= attempts) throw unavailable(request, failure);
        if (request?.stats) request.stats.retries++;
        await backoff(n, STORE_BUDGET.backoffBaseMs, Math.min(STORE_BUDGET.backoffCapMs, end - Date.now()));
      }
    },
  };
}

/** The store is unavailable for this request: it says when to retry, and the request's later calls are short. */
function unavailable(request: RequestBudget | undefined, cause: Error): StoreUnavailableError {
  if (request) {
    request.troubled = true;
    if (request.stats) request.stats.unavailable++;
  }
  const throttled = cause instanceof DynamoDbError && THROTTLING.has(cause.name);
  return new StoreUnavailableError(
    throttled ? STORE_BUDGET.throttledRetryAfterS : STORE_BUDGET.unavailableRetryAfterS,
    { cause },
  );
}

function toDynamoDbError({ status, text }: Answer, afterUncertainAttempt: boolean): DynamoDbError {
  let parsed: { __type?: unknown; message?: unknown; Message?: unknown; Item?: Item } = {};
  try {
    parsed = JSON.parse(text);
  } catch {
    // A proxy or load balancer answered with something that is not DynamoDB JSON.
  }
  const type = String(parsed.__type ?? 'UnknownError');
  const name = type.slice(type.lastIndexOf('#') + 1);
  const message = String(parsed.message ?? parsed.Message ?? `HTTP ${status}`);
  if (name === 'ConditionalCheckFailedException') {
    return new ConditionalCheckFailedError(message, status, parsed.Item, afterUncertainAttempt);
  }
  return new DynamoDbError(name, message, status);
}

/**
 * Throttling, server faults, timeouts and network errors pass, and are worth another attempt; every other answer
 * (a client error, a missing table, a broken answer) would be the same again.
 */
function isTransient(error: Error): boolean {
  if (!(error instanceof DynamoDbError)) return isNetworkError(error);
  return error.statusCode >= 500 || RETRYABLE.has(error.name);
}

/**
 * A failure to reach the store or to hear from it: a system error (ECONNREFUSED, ECONNRESET, EPIPE, ETIMEDOUT,
 * EAI_AGAIN…) or an attempt's timeout. Not Node's own ERR_ codes (a bug here), nor HPE_ parse errors (the store
 * answered, with something that is not HTTP: a broken store, which another attempt would not mend).
 */
function isNetworkError(error: Error): boolean {
  if (error instanceof AttemptTimeoutError) return true;
  const code = (error as NodeJS.ErrnoException).code;
  return typeof code === 'string' && /^E[A-Z_]+$/.test(code) && !code.startsWith('ERR_');
}

/**
 * Whether a failed attempt may have been applied anyway: DynamoDB refused nothing that it throttled, nor anything
 * that never reached it (connection refused), but a lost answer or a server fault leaves it unknown.
 */
function mayHaveBeenApplied(error: Error): boolean {
  if (error instanceof DynamoDbError) return !THROTTLING.has(error.name);
  return (error as NodeJS.ErrnoException).code !== 'ECONNREFUSED';
}
