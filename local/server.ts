/**
 * The whole system on one machine: dynalite, the tables from serverless.yml,
 * and the gateway serving the handlers that serverless.yml declares.
 * `npm start`, the end-to-end tests and the benchmark all use it.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync, unlinkSync } from 'node:fs';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';
import type { Worker } from 'node:worker_threads';
import { createLocalJWKSet } from 'jose';
import { DynamoDbError } from '../src/store/dynamodb.js';
import { type Authorize, createJwtAuthorizer } from './authorizer.js';
import type { Dynalite } from './dynalite-server.js';
import { dynaliteWorker, startDynaliteThread } from './dynalite-thread.js';
import { type AccessEntry, createGateway } from './gateway.js';
import type { Invocable } from './invoke.js';
import {
  issueToken,
  JWKS_PATH,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadSigningKey,
  type SigningKey,
  type TokenOptions,
} from './issuer.js';
import { createOidcProvider, DISCOVERY_PATH, type LocalRoutes } from './oidc-provider.js';
import { PROJECT_ROOT } from './paths.js';
import {
  type FunctionModel,
  type Json,
  loadServiceModel,
  type ServiceDocument,
  type ServiceModel,
} from './service-config.js';
import { createTables, LOCAL_CREDENTIALS } from './tables.js';

const LOCAL_STAGE = 'local';

/**
 * serverless.yml's stage parameter `auth`, as the local stage offers it. `oidc` (the default): every route needs a
 * token of the local issuer, which stands in for Cognito and is checked as API Gateway checks any OIDC issuer's.
 * `none`: the tutorial's public mode, one anonymous owner. (`cognito` needs AWS.)
 */
export type LocalAuthMode = 'oidc' | 'none';

/** Where the local server publishes the local issuer's public keys. */
export { JWKS_PATH };

/**
 * serverless.yml, read as osls reads it for the local stage: with `auth=oidc` pointed at the local issuer (so the
 * authorizer and routes are exactly those a deployment with its own issuer gets), or `auth=none`. From `document`,
 * the file as read already, when given.
 */
export function loadLocalModel(
  authMode: LocalAuthMode,
  requireIfMatch = false,
  document?: ServiceDocument,
): ServiceModel {
  const params: Record<string, string> =
    authMode === 'oidc' ? { auth: authMode, jwtIssuer: LOCAL_ISSUER, jwtAudience: LOCAL_AUDIENCE } : { auth: authMode };
  if (requireIfMatch) params.requireIfMatch = 'true';
  return loadServiceModel(SERVICE_FILE, { stage: LOCAL_STAGE, params }, document);
}

/** The service file: routes, functions, tables, authorizers. */
const SERVICE_FILE = resolve(PROJECT_ROOT, 'serverless.yml');

/** A check per declared authorizer; only the local issuer's tokens can be verified here. */
function localAuthorizers(model: ServiceModel, key: SigningKey): Map<string, Authorize> {
  const keys = createLocalJWKSet({ keys: [key.publicJwk] });
  const checks = new Map<string, Authorize>();
  for (const [name, authorizer] of model.authorizers) {
    if (authorizer.issuerUrl !== LOCAL_ISSUER) {
      throw new Error(`Authorizer ${name}: the local gateway verifies tokens of the local issuer only`);
    }
    checks.set(
      name,
      createJwtAuthorizer({
        identitySource: authorizer.identitySource,
        issuer: LOCAL_ISSUER,
        audience: authorizer.audience.map(String),
        keys,
      }),
    );
  }
  return checks;
}

export interface LocalOptions {
  /** API port; 0 picks a free one. */
  port: number;
  host?: string;
  /** Where dynalite keeps its data and the local issuer its key; undefined keeps both in memory. */
  dataDir?: string;
  /** dynalite's port; 0 picks a free one. */
  dynamodbPort: number;
  /** Use this DynamoDB-compatible endpoint instead of starting dynalite. */
  dynamodbEndpoint?: string;
  authMode: LocalAuthMode;
  /** serverless.yml's `requireIfMatch` parameter: writes to a todo without If-Match are refused (428). */
  requireIfMatch?: boolean;
  /** Where the gateway reports faults (default: stderr). */
  log?: (line: string) => void;
  /** Told of every request the gateway answered, with why a 401 was refused (`npm start` prints it). */
  onRequest?: (entry: AccessEntry) => void;
  /**
   * What the functions themselves log: `quiet` (the default), warnings and faults only, and no metrics; `all`, every
   * line and metric they would write to CloudWatch (their log level is then LOG_LEVEL's, INFO by default).
   */
  functionLogs?: 'quiet' | 'all';
  /** What is worth telling whoever started the system while it starts (`npm start` prints it; default: nothing). */
  progress?: (line: string) => void;
  /** Milliseconds a client may take to send a request's headers before it is dropped with 408 (default 10 s). */
  headersTimeoutMs?: number;
  /**
   * Milliseconds a client may take to send a whole request, body included, before it is dropped with 408 (default
   * 30 s, API Gateway's integration timeout). At least `headersTimeoutMs`.
   */
  requestTimeoutMs?: number;
  /** Requests in flight at once; the next ones are answered 503 with Retry-After: 1 (default 256). */
  maxInFlight?: number;
  /** Open connections at once; beyond it, a new connection is closed unanswered (default 1024). */
  maxConnections?: number;
  /**
   * With `dynamodbEndpoint`: how long to wait at start for it to answer, retrying every 2 s, before giving up
   * (default 60 s).
   */
  dynamodbWaitMs?: number;
  /**
   * The embedded store's thread, already started and waiting for its orders (local/start.mjs starts the prebuilt one
   * first thing, so that it loads while this thread does). Without it, one is started from source when needed; with
   * `dynamodbEndpoint`, it is not needed, and stopped.
   */
  storeThread?: Worker;
  /** Told if the embedded store's thread ends while the system runs (default: `log`). */
  onStoreGone?: (why: string) => void;
  /**
   * The handlers' modules by path (`src/handlers/create`), for a prebuilt server that carries them (local/start.mjs);
   * without it, each is imported from its source file.
   */
  handlerModules?: Record<string, () => Promise<Record<string, unknown>>>;
  /** serverless.yml as read already (by a prebuilt server, when it was built); without it, the file is read. */
  serviceDocument?: ServiceDocument;
}

/** How long a client may take to send a request's headers, and its whole request, unless told otherwise. */
const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/**
 * How long a connection may stay idle between requests: more than the 4 s of common clients (undici, Node's
 * agents), so that the client, not the server, closes an idle connection, and never one it is about to reuse.
 */
const KEEP_ALIVE_TIMEOUT_MS = 5000;
const DEFAULT_MAX_CONNECTIONS = 1024;
const DEFAULT_DYNAMODB_WAIT_MS = 60_000;
/** Between two attempts to reach DYNAMODB_ENDPOINT at start, and the longest one attempt may take. */
const DYNAMODB_RETRY_MS = 2000;
const DYNAMODB_ATTEMPT_MS = 5000;

/** A server of the system could not listen: the API's (`api`) or the embedded store's (`dynamodb`). */
export class ListenError extends Error {
  constructor(
    readonly server: 'api' | 'dynamodb',
    readonly port: number,
    readonly host: string,
    /** EADDRINUSE, EACCES, EADDRNOTAVAIL… */
    readonly code: string,
    options: { cause: unknown },
  ) {
    super(`The ${server === 'api' ? 'API' : 'DynamoDB'} server cannot listen on ${host}:${port} (${code})`, options);
  }
}

/** The data directory is held by another running process. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(`${dataDir} is in use by process ${pid}`);
  }
}

/** The DynamoDB endpoint did not answer at start within the time it was given. */
export class DynamoDbNotAnsweringError extends Error {
  constructor(
    readonly endpoint: string,
    /** Why the last attempt failed: `connection refused`, `no answer within 5 s`… */
    readonly reason: string,
    readonly waitedMs: number,
  ) {
    super(`DynamoDB at ${endpoint} did not answer within ${seconds(waitedMs)} (${reason})`);
  }
}

function seconds(ms: number): string {
  return `${Number((ms / 1000).toFixed(1))} s`;
}

export interface LocalSystem {
  url: string;
  dynamodbEndpoint: string;
  model: ServiceModel;
  /** A token of the local issuer for `user` (what `npm run token` prints). */
  issueToken(user: string, options?: TokenOptions): Promise<string>;
  close(): Promise<void>;
}

/** The environment each function gets, as CloudFormation would set it (a table `Ref` is its name). */
function functionEnvironment(model: ServiceModel): Record<string, string> {
  const tableNames = new Map(model.tables.map((t) => [t.logicalId, String(t.properties.TableName)]));
  const resolveValue = (name: string, value: Json): string => {
    if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
    if (value && typeof value === 'object' && !Array.isArray(value) && typeof value.Ref === 'string') {
      const table = tableNames.get(value.Ref);
      if (table) return table;
    }
    throw new Error(
      `serverless.yml: the local gateway cannot compute environment variable ${name}=${JSON.stringify(value)}`,
    );
  };
  const env: Record<string, string> = {};
  for (const fn of model.functions) {
    for (const [name, value] of Object.entries(fn.environment)) {
      const resolved = resolveValue(name, value);
      // All functions share one process locally, so they must agree on their environment.
      if (name in env && env[name] !== resolved) {
        throw new Error(`serverless.yml: functions disagree on ${name}; the local gateway runs them in one process`);
      }
      env[name] = resolved;
    }
  }
  return env;
}

/**
 * The embedded store, started in its own thread (`worker`) and closed with this system; if that thread ends before,
 * `onGone` is told.
 */
async function embeddedStore(options: LocalOptions, worker: Worker, onGone: (why: string) => void): Promise<Dynalite> {
  try {
    return await startDynaliteThread(
      worker,
      { port: options.dynamodbPort, ...(options.dataDir ? { dataDir: options.dataDir } : {}) },
      onGone,
    );
  } catch (error) {
    // The store listens on 127.0.0.1.
    throw asListenError(error, 'dynamodb', options.dynamodbPort, '127.0.0.1');
  }
}

/** A failure of `listen()` as a ListenError that says which server it was; any other error as it is. */
function asListenError(error: unknown, server: 'api' | 'dynamodb', port: number, host: string): unknown {
  const { syscall, code } = (error ?? {}) as NodeJS.ErrnoException;
  return syscall === 'listen' && typeof code === 'string'
    ? new ListenError(server, port, host, code, { cause: error })
    : error;
}

/**
 * The embedded store's data directory, for this process alone: `<dataDir>/.lock` holds its PID while it runs (the
 * issuer's key, under the same directory, is safe to share: it is made once, atomically). The lock of a process
 * that is no longer running is taken over. Returns the release, which also runs if the process exits without it.
 *
 * (Two processes taking over the same stale lock at the same instant could both believe they hold it; LevelDB's
 * own lock still stops the second store, less politely. Nothing else can race here.)
 */
async function lockDataDir(dataDir: string, progress: (line: string) => void): Promise<() => void> {
  await mkdir(dataDir, { recursive: true });
  const file = join(dataDir, '.lock');
  const mine = String(process.pid);
  // Written whole under a temporary name, then linked into place: link() fails if the lock exists, so a lock is
  // never seen half-written, and exactly one process creates it.
  const temporary = `${file}.${mine}.${randomUUID()}.tmp`;
  await writeFile(temporary, `${mine}\n`);
  try {
    for (let attempt = 1; ; attempt++) {
      try {
        await link(temporary, file);
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt >= 3) throw error;
      }
      const holder = await readLock(file);
      if (holder === 'gone') continue;
      if (holder !== undefined && holder !== process.pid && isRunning(holder)) {
        throw new DataDirInUseError(dataDir, holder);
      }
      progress(
        `DATA_DIR ${dataDir} was locked by ${holder === undefined ? 'an unreadable lock' : `process ${holder}`}, ` +
          'which is not running any more: taking it over',
      );
      await rm(file, { force: true });
    }
  } finally {
    await rm(temporary, { force: true });
  }
  const release = () => {
    process.off('exit', release);
    try {
      // Only our own: never a lock that another process took over meanwhile.
      if (readFileSync(file, 'utf8').trim() === mine) unlinkSync(file);
    } catch {
      // Already gone.
    }
  };
  process.on('exit', release);
  return release;
}

/** The PID a lock file names; undefined when it names none; `gone` when it was removed meanwhile. */
async function readLock(file: string): Promise<number | undefined | 'gone'> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 'gone';
    throw error;
  }
  const pid = Number(text.trim());
  return Number.isSafeInteger(pid) && pid > 0 ? pid : undefined;
}

/** Whether a process with this PID runs (signal 0 checks without sending anything; EPERM: it runs as another user). */
function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A network error's code, as a person would say it. */
const NETWORK_FAILURES: Record<string, string> = {
  ECONNREFUSED: 'connection refused',
  ECONNRESET: 'connection reset',
  EPIPE: 'connection closed',
  ETIMEDOUT: 'connection timed out',
  EHOSTUNREACH: 'host unreachable',
  ENETUNREACH: 'network unreachable',
  ENOTFOUND: 'host not found',
  EAI_AGAIN: 'host name lookup failed',
};

/** An attempt that got no answer in the time it had. */
class NoAnswerError extends Error {}

/**
 * Why an attempt to reach the store failed, when it is worth another one: no answer (a network error, a timeout,
 * here or in the client), or a server fault (`failing`). Undefined when the store refused the request itself,
 * which another attempt would not change.
 */
function transientFailure(error: unknown): { failure: string; state: 'not answering' | 'failing' } | undefined {
  for (let cause = error; cause instanceof Error; cause = cause.cause) {
    if (cause instanceof DynamoDbError) {
      return cause.statusCode >= 500 ? { failure: `${cause.statusCode} ${cause.name}`, state: 'failing' } : undefined;
    }
    if (cause instanceof NoAnswerError) return { failure: cause.message, state: 'not answering' };
    const code = (cause as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z_]+$/.test(code) && !code.startsWith('ERR_')) {
      return { failure: NETWORK_FAILURES[code] ?? code, state: 'not answering' };
    }
    // The client's own timeout of an attempt.
    if (/timed out|no answer/i.test(cause.message)) return { failure: 'no answer in time', state: 'not answering' };
  }
  return undefined;
}

/** `work`, or a NoAnswerError after `ms` (`work` is then abandoned, to end by its own timeouts). */
async function within<T>(ms: number, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new NoAnswerError(`no answer within ${seconds(ms)}`)), ms);
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Creates the tables at an external DynamoDB endpoint, which may not be up yet (a container still starting): while
 * it does not answer (or fails), says so once and tries again every 2 s, each attempt bounded so that a store that
 * hangs cannot hold it; after `waitMs`, gives up with a DynamoDbNotAnsweringError. A refusal (bad credentials, an
 * invalid table) ends it at once.
 */
async function createTablesOnceAnswering(
  endpoint: string,
  model: ServiceModel,
  waitMs: number,
  progress: (line: string) => void,
): Promise<void> {
  const deadline = Date.now() + waitMs;
  let told: string | undefined;
  for (;;) {
    const attemptMs = Math.min(DYNAMODB_ATTEMPT_MS, Math.max(1000, deadline - Date.now()));
    try {
      await within(attemptMs, createTables(endpoint, model.tables, model.region));
      if (told) progress(`DynamoDB at ${endpoint} answers now`);
      return;
    } catch (error) {
      const transient = transientFailure(error);
      if (!transient) {
        const reason = error instanceof DynamoDbError ? `${error.name}: ${error.message}` : String(error);
        throw new Error(`DynamoDB at ${endpoint} refused to create the tables (${reason})`, { cause: error });
      }
      if (Date.now() >= deadline) throw new DynamoDbNotAnsweringError(endpoint, transient.failure, waitMs);
      const news = `DynamoDB at ${endpoint} is ${transient.state} (${transient.failure})`;
      if (news !== told) {
        progress(`${news}; retrying every ${seconds(DYNAMODB_RETRY_MS)} for up to ${seconds(waitMs)}...`);
        told = news;
      }
    }
    await sleep(Math.max(0, Math.min(DYNAMODB_RETRY_MS, deadline - Date.now())));
  }
}

/**
 * The environment the functions get: what Lambda would set (region, credentials; locally also the endpoint), then
 * what serverless.yml sets. Credentials already in `env` are kept (a real DYNAMODB_ENDPOINT may check them).
 */
export function lambdaEnvironment(
  model: ServiceModel,
  dynamodbEndpoint: string,
  env: Record<string, string | undefined> = {},
): Record<string, string> {
  const functions = functionEnvironment(model);
  return {
    AWS_REGION: model.region,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    ...functions,
    // Locally GET /health may ask the store whether it answers; on AWS its function has no access to the table.
    HEALTH_CHECK_STORE: 'true',
    // Locally the web page signs in at the local issuer's endpoints on the API's own origin (a path: the page
    // resolves it against its own); on AWS it is unset, and the page discovers them from the issuer.
    ...(functions.AUTH_MODE === 'oidc' ? { OIDC_DISCOVERY_URL: DISCOVERY_PATH } : {}),
  };
}

/**
 * How much the functions log, set through the variables Powertools reads: quiet leaves the per-request lines to
 * the gateway's own log, and keeps the functions' warnings and faults; LOG_LEVEL set by the developer wins.
 */
function functionLogging(options: LocalOptions, logLevel: string | undefined): Record<string, string> {
  if (options.functionLogs === 'all') return { LOG_LEVEL: logLevel || 'INFO', POWERTOOLS_METRICS_DISABLED: 'false' };
  return { LOG_LEVEL: logLevel || 'WARN', POWERTOOLS_METRICS_DISABLED: 'true' };
}

/**
 * A function's handler, imported from its source as Lambda imports it from the bundle
 * (`src/handlers/create.handler` is the export `handler` of src/handlers/create.ts), or from `modules`, a prebuilt
 * server's own copy of the same modules.
 */
export async function importHandler(fn: FunctionModel, modules?: LocalOptions['handlerModules']): Promise<Invocable> {
  const file = resolve(PROJECT_ROOT, `${fn.handlerModule}.ts`);
  const prebuilt = modules?.[fn.handlerModule];
  if (modules && !prebuilt) throw new Error(`The prebuilt local server has no module ${fn.handlerModule}`);
  const module = prebuilt ? await prebuilt() : ((await import(pathToFileURL(file).href)) as Record<string, unknown>);
  const handler = module[fn.handlerExport];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${fn.handlerExport}`);
  return handler as Invocable;
}

async function loadHandlers(
  model: ServiceModel,
  modules: LocalOptions['handlerModules'],
): Promise<Map<string, Invocable>> {
  const handlers = new Map<string, Invocable>();
  for (const fn of model.functions) handlers.set(fn.name, await importHandler(fn, modules));
  return handlers;
}

/** The local issuer's keys, for tools that verify its tokens (the gateway serves everything else). */
function jwksServer(key: SigningKey): LocalRoutes {
  const jwks = JSON.stringify({ keys: [key.publicJwk] });
  return (req, res) => {
    if (req.method !== 'GET' || req.url !== JWKS_PATH) return false;
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(jwks);
    return true;
  };
}

/** How long the server waits for clients, checked before anything starts. */
function serverTimeouts(options: LocalOptions): { headersTimeout: number; requestTimeout: number } {
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS;
  if (!(headersTimeout > 0 && requestTimeout >= headersTimeout)) {
    throw new Error(
      `startLocal: headersTimeoutMs (${headersTimeout}) must be over 0, and requestTimeoutMs (${requestTimeout}) at least as long`,
    );
  }
  return { headersTimeout, requestTimeout };
}

/**
 * The HTTP server. A client that has not sent its headers within `headersTimeout`, or its whole request within
 * `requestTimeout`, is answered 408 and dropped, without holding anyone else up (Node checks every connection
 * this often, a quarter of the headers' time, at most a second: its default of 30 s would let a slow client
 * stay 40 s); an idle connection is closed after 5 s; and at most `maxConnections` are open at once.
 */
function apiServer(
  gateway: RequestListener,
  timeouts: { headersTimeout: number; requestTimeout: number },
  maxConnections: number,
): Server {
  const server = createServer(
    {
      keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS,
      ...timeouts,
      connectionsCheckingInterval: Math.min(1000, Math.ceil(timeouts.headersTimeout / 4)),
    },
    gateway,
  );
  server.maxConnections = maxConnections;
  return server;
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', (error) => reject(asListenError(error, 'api', port, host)));
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

/**
 * Finishes the requests under way, then closes the embedded store so that everything written is on disk. close()
 * only drops connections idle at that instant: drop the others as soon as they finish their request, and give up on
 * clients that hold a request open for more than 10 s.
 */
async function closeGracefully(server: Server, dynalite: Dynalite | undefined): Promise<void> {
  const closed = new Promise<void>((done) => server.close(() => done()));
  const idle = setInterval(() => server.closeIdleConnections(), 25);
  const force = setTimeout(() => server.closeAllConnections(), 10_000);
  await closed;
  clearInterval(idle);
  clearTimeout(force);
  await dynalite?.close();
}

// Handler modules read their configuration once, when first imported (as on Lambda), so a second system in the
// same process would silently talk to the first one's table and auth mode.
let started = false;

export async function startLocal(options: LocalOptions): Promise<LocalSystem> {
  if (started) {
    throw new Error('startLocal: one local system per process (handlers bind their configuration at import)');
  }
  started = true;
  const progress = options.progress ?? (() => {});
  const log = options.log ?? ((line: string) => console.error(line));
  // A store's thread started for nothing (an external store, or a mistake below) ends with this attempt.
  const worker = options.dynamodbEndpoint ? undefined : (options.storeThread ?? dynaliteWorker());
  if (options.dynamodbEndpoint) void options.storeThread?.terminate();
  let dynalite: Dynalite | undefined;
  let unlock: (() => void) | undefined;
  // The issuer's key (made on first use: an RSA key pair takes a while) comes meanwhile.
  const signingKeyLoaded = loadSigningKey(options.dataDir);
  try {
    const model = loadLocalModel(options.authMode, options.requireIfMatch, options.serviceDocument);
    const timeouts = serverTimeouts(options);
    // Only the embedded store keeps its data in dataDir; an external one's data is its own business.
    unlock = options.dataDir && worker ? await lockDataDir(options.dataDir, progress) : undefined;
    let endpoint: string;
    let tablesCreated: Promise<void>;
    if (worker) {
      dynalite = await embeddedStore(options, worker, options.onStoreGone ?? log);
      endpoint = dynalite.endpoint;
      // The store makes them while the handlers load, below.
      tablesCreated = createTables(endpoint, model.tables, model.region);
    } else {
      endpoint = options.dynamodbEndpoint ?? '';
      await createTablesOnceAnswering(endpoint, model, options.dynamodbWaitMs ?? DEFAULT_DYNAMODB_WAIT_MS, progress);
      tablesCreated = Promise.resolve();
    }
    const logLevel = process.env.LOG_LEVEL;
    Object.assign(process.env, lambdaEnvironment(model, endpoint, process.env), functionLogging(options, logLevel));
    // Imported once their environment is set, as Lambda imports a function's module.
    const [handlers, signingKey] = await Promise.all([
      loadHandlers(model, options.handlerModules),
      signingKeyLoaded,
      tablesCreated,
    ]);
    let url = '';
    const jwks = jwksServer(signingKey);
    // The local issuer's sign-in, for the web page; with AUTH_MODE=none its paths are the gateway's plain 404.
    const oidc =
      options.authMode === 'oidc'
        ? createOidcProvider({
            key: signingKey,
            ownUrl: () => url,
            log,
          })
        : undefined;
    const gateway = createGateway({
      model,
      handlers,
      authorizers: localAuthorizers(model, signingKey),
      serveLocal: (req, res) => jwks(req, res) || (oidc?.(req, res) ?? false),
      ...(options.log ? { log: options.log } : {}),
      ...(options.onRequest ? { onRequest: options.onRequest } : {}),
      ...(options.maxInFlight === undefined ? {} : { maxInFlight: options.maxInFlight }),
    });
    const server = apiServer(gateway, timeouts, options.maxConnections ?? DEFAULT_MAX_CONNECTIONS);
    const port = await listen(server, options.port, options.host ?? '127.0.0.1');
    url = `http://localhost:${port}`;
    const running = dynalite;
    return {
      url,
      dynamodbEndpoint: endpoint,
      model,
      issueToken: (user, tokenOptions) => issueToken(signingKey, user, tokenOptions),
      close: async () => {
        try {
          await closeGracefully(server, running);
        } finally {
          unlock?.();
        }
      },
    };
  } catch (error) {
    if (dynalite) await dynalite.close();
    else await worker?.terminate();
    unlock?.();
    // Never an unhandled rejection, whatever failed first.
    await signingKeyLoaded.catch(() => undefined);
    throw error;
  }
}
