/**
 * The whole system on one machine: the embedded store, the tables from
 * serverless.yml, and the gateway serving the handlers that serverless.yml
 * declares. `npm start`, the end-to-end tests and the benchmark all use it.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createLocalJWKSet } from 'jose';
import { type Authorize, createJwtAuthorizer } from './authorizer.js';
import { createGateway, type Invocable } from './gateway.js';
import {
  issueToken,
  LOCAL_AUDIENCE,
  LOCAL_ISSUER,
  loadSigningKey,
  type SigningKey,
  type TokenOptions,
} from './issuer.js';
import { PROJECT_ROOT } from './paths.js';
import { type Json, loadServiceModel, type ServiceModel } from './service-config.js';
import { ensureTables, LOCAL_CREDENTIALS, type Store, startStore } from './store.js';

export { PROJECT_ROOT };
export const LOCAL_STAGE = 'local';

/**
 * `jwt`: every route needs a token from the local issuer, checked as API Gateway checks Cognito's (the default,
 * as on AWS). `none`: the tutorial's public mode, one anonymous owner.
 */
export type LocalAuth = 'jwt' | 'none';

/** Where the local server publishes the local issuer's public keys. */
export const JWKS_PATH = '/.well-known/jwks.json';

/**
 * serverless.yml, read as osls reads it for the local stage: with `auth=oidc` pointed at the local issuer (so the
 * authorizer and routes are exactly those a deployment with its own issuer gets), or `auth=none`.
 */
export function loadLocalModel(auth: LocalAuth): ServiceModel {
  const params: Record<string, string> =
    auth === 'none' ? { auth: 'none' } : { auth: 'oidc', jwtIssuer: LOCAL_ISSUER, jwtAudience: LOCAL_AUDIENCE };
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
  /** Where the embedded store keeps its data and the local issuer its key; undefined keeps both in memory. */
  dataDir?: string;
  /** The embedded store's port; 0 picks a free one. */
  dynamodbPort: number;
  /** Use this DynamoDB-compatible endpoint instead of starting the embedded store. */
  dynamodbEndpoint?: string;
  auth: LocalAuth;
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
export function functionEnvironment(model: ServiceModel): Record<string, string> {
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

/** Imports each function's handler (`src/handlers/create.handler` → export `handler` of src/handlers/create.ts). */
export async function loadHandlers(model: ServiceModel): Promise<Map<string, Invocable>> {
  const handlers = new Map<string, Invocable>();
  for (const fn of model.functions) {
    const dot = fn.handler.lastIndexOf('.');
    const file = resolve(PROJECT_ROOT, `${fn.handler.slice(0, dot)}.ts`);
    const name = fn.handler.slice(dot + 1);
    const module = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
    const handler = module[name];
    if (typeof handler !== 'function') throw new Error(`${file} does not export a function named ${name}`);
    handlers.set(fn.name, handler as Invocable);
  }
  return handlers;
}

// Handler modules read their configuration once, when first imported (as on Lambda), so a second system in the
// same process would silently talk to the first one's table and auth mode.
let started = false;

export async function startLocal(options: LocalOptions): Promise<LocalSystem> {
  if (started)
    throw new Error('startLocal: one local system per process (handlers bind their configuration at import)');
  started = true;
  const model = loadLocalModel(options.auth);
  const signingKey = await loadSigningKey(options.dataDir);
  let store: Store | undefined;
  let endpoint = options.dynamodbEndpoint;
  if (!endpoint) {
    store = await startStore({ port: options.dynamodbPort, ...(options.dataDir ? { dataDir: options.dataDir } : {}) });
    endpoint = store.endpoint;
  }
  let server: Server | undefined;
  try {
    await ensureTables(endpoint, model.tables, model.region);

    // What Lambda would put in the environment, then what serverless.yml sets.
    Object.assign(process.env, {
      AWS_REGION: model.region,
      AWS_ACCESS_KEY_ID: process.env.AWS_ACCESS_KEY_ID ?? LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: process.env.AWS_SECRET_ACCESS_KEY ?? LOCAL_CREDENTIALS.secretAccessKey,
      AWS_ENDPOINT_URL_DYNAMODB: endpoint,
      ...functionEnvironment(model),
    });
    const handlers = await loadHandlers(model);

    const gateway = createGateway({
      model,
      handlers,
      authorizers: localAuthorizers(model, signingKey),
      ...(options.log ? { log: options.log } : {}),
    });
    const jwks = JSON.stringify({ keys: [signingKey.publicJwk] });
    server = createServer({ keepAliveTimeout: 5000 }, (req, res) => {
      // The local issuer's keys, for tools that verify its tokens; everything else is the API.
      if (req.method === 'GET' && req.url === JWKS_PATH) {
        res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' }).end(jwks);
        return;
      }
      gateway(req, res);
    });
    const listening = server;
    await new Promise<void>((resolveListen, reject) => {
      listening.once('error', reject);
      listening.listen(options.port, options.host ?? '127.0.0.1', () => resolveListen());
    });
  } catch (error) {
    await store?.close();
    throw error;
  }
  const { port } = server.address() as AddressInfo;
  const httpServer = server;
  return {
    url: `http://localhost:${port}`,
    dynamodbEndpoint: endpoint,
    model,
    issueToken: (user, tokenOptions) => issueToken(signingKey, user, tokenOptions),
    async close() {
      // Finish the requests under way, then close the store so everything written is on disk.
      // close() only drops connections idle at that instant: drop the others as soon as they finish their
      // request, and give up on clients that hold a request open for more than 10 s.
      const closed = new Promise<void>((done) => httpServer.close(() => done()));
      const idle = setInterval(() => httpServer.closeIdleConnections(), 25);
      const force = setTimeout(() => httpServer.closeAllConnections(), 10_000);
      await closed;
      clearInterval(idle);
      clearTimeout(force);
      await store?.close();
    },
  };
}
