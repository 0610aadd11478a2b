/**
 * The whole system on one machine: dynalite, the tables from serverless.yml,
 * and the gateway serving the handlers that serverless.yml declares.
 * `npm start`, the end-to-end tests and the benchmark all use it.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalJWKSet } from 'jose';
import { type Authorize, createJwtAuthorizer } from './authorizer.js';
import { createTables, type Dynalite, LOCAL_CREDENTIALS, startDynalite } from './dynalite-server.js';
import { createGateway } from './gateway.js';
import type { Invocable } from './invoke.js';
import {
  issueToken,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadSigningKey,
  type SigningKey,
  type TokenOptions,
} from './issuer.js';
import { PROJECT_ROOT } from './paths.js';
import { type FunctionModel, type Json, loadServiceModel, type ServiceModel } from './service-config.js';

const LOCAL_STAGE = 'local';

/**
 * serverless.yml's stage parameter `auth`, as the local stage offers it. `oidc` (the default): every route needs a
 * token of the local issuer, which stands in for Cognito and is checked as API Gateway checks any OIDC issuer's.
 * `none`: the tutorial's public mode, one anonymous owner. (`cognito` needs AWS.)
 */
export type LocalAuthMode = 'oidc' | 'none';

/** Where the local server publishes the local issuer's public keys. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * serverless.yml, read as osls reads it for the local stage: with `auth=oidc` pointed at the local issuer (so the
 * authorizer and routes are exactly those a deployment with its own issuer gets), or `auth=none`.
 */
export function loadLocalModel(authMode: LocalAuthMode, requireIfMatch = false): ServiceModel {
  const params: Record<string, string> =
    authMode === 'oidc' ? { auth: authMode, jwtIssuer: LOCAL_ISSUER, jwtAudience: LOCAL_AUDIENCE } : { auth: authMode };
  if (requireIfMatch) params.requireIfMatch = 'true';
  return loadServiceModel(resolve(PROJECT_ROOT, 'serverless.yml'), { stage: LOCAL_STAGE, params });
}

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
  log?: (line: string) => void;
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

/** The DynamoDB endpoint to use: the one given, or that of a dynalite started for this system (and closed with it). */
async function dynamodbFor(options: LocalOptions): Promise<{ endpoint: string; dynalite?: Dynalite }> {
  if (options.dynamodbEndpoint) return { endpoint: options.dynamodbEndpoint };
  const dynalite = await startDynalite({
    port: options.dynamodbPort,
    ...(options.dataDir ? { dataDir: options.dataDir } : {}),
  });
  return { endpoint: dynalite.endpoint, dynalite };
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
  return {
    AWS_REGION: model.region,
    AWS_ACCESS_KEY_ID: env.AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: env.AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey,
    AWS_ENDPOINT_URL_DYNAMODB: dynamodbEndpoint,
    ...functionEnvironment(model),
  };
}

/**
 * A function's handler, imported from its source as Lambda imports it from the bundle
 * (`src/handlers/create.handler` is the export `handler` of src/handlers/create.ts).
 */
export async function importHandler(fn: FunctionModel): Promise<Invocable> {
  const file = resolve(PROJECT_ROOT, `${fn.handlerModule}.ts`);
  const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  const handler = module[fn.handlerExport];
  if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${fn.handlerExport}`);
  return handler as Invocable;
}

async function loadHandlers(model: ServiceModel): Promise<Map<string, Invocable>> {
  const handlers = new Map<string, Invocable>();
  for (const fn of model.functions) handlers.set(fn.name, await importHandler(fn));
  return handlers;
}

/** The HTTP server: the local issuer's keys, for tools that verify its tokens; everything else is the API. */
function apiServer(gateway: RequestListener, key: SigningKey): Server {
  const jwks = JSON.stringify({ keys: [key.publicJwk] });
  return createServer({ keepAliveTimeout: 5000 }, (req, res) => {
    if (req.method === 'GET' && req.url === JWKS_PATH) {
      res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(jwks);
      return;
    }
    gateway(req, res);
  });
}

function listen(server: Server, port: number, host: string): Promise<number> {
  return new Promise((resolveListen, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolveListen((server.address() as AddressInfo).port));
  });
}

/**
 * Finishes the requests under way, then closes dynalite so that everything written is on disk. close() only
 * drops connections idle at that instant: drop the others as soon as they finish their request, and give up on
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
  const model = loadLocalModel(options.authMode, options.requireIfMatch);
  const signingKey = await loadSigningKey(options.dataDir);
  const { endpoint, dynalite } = await dynamodbFor(options);
  try {
    await createTables(endpoint, model.tables, model.region);
    Object.assign(process.env, lambdaEnvironment(model, endpoint, process.env));
    const gateway = createGateway({
      model,
      handlers: await loadHandlers(model),
      authorizers: localAuthorizers(model, signingKey),
      ...(options.log ? { log: options.log } : {}),
    });
    const server = apiServer(gateway, signingKey);
    const port = await listen(server, options.port, options.host ?? '127.0.0.1');
    return {
      url: `http://localhost:${port}`,
      dynamodbEndpoint: endpoint,
      model,
      issueToken: (user, tokenOptions) => issueToken(signingKey, user, tokenOptions),
      close: () => closeGracefully(server, dynalite),
    };
  } catch (error) {
    await dynalite?.close();
    throw error;
  }
}
