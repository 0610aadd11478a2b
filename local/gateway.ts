/**
 * A small local stand-in for API Gateway's HTTP API: it routes requests to the
 * handlers declared in serverless.yml with the payload v2 events AWS builds,
 * and maps their results, faults and CORS as AWS does. Each concern has its
 * module (event.ts, invoke.ts, cors.ts, router.ts, authorizer.ts); this one
 * puts them in API Gateway's order.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, RequestListener } from 'node:http';
import type { Authorize, JwtContext } from './authorizer.js';
import { applyCors, isPreflight, preflight } from './cors.js';
import { buildEvent } from './event.js';
import { type Invocable, type Invocation, invoke } from './invoke.js';
import { type GatewayResponse, gatewayMessage, writeResponse } from './response.js';
import { createRouter, type Router } from './router.js';
import type { ServiceModel } from './service-config.js';

/** API Gateway's own limit on a request body. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

export interface GatewayOptions {
  model: ServiceModel;
  /** The handler of each function, by function name. */
  handlers: Map<string, Invocable>;
  /** The check of each authorizer that routes name, by authorizer name. */
  authorizers?: Map<string, Authorize>;
  /** Where faults are reported (the equivalent of CloudWatch Logs). */
  log?: (line: string) => void;
}

/** The `request` listener of an http.Server that serves `model`'s routes. */
export function createGateway(options: GatewayOptions): RequestListener {
  const gateway = prepare(options);
  return (req, res) => {
    const requestId = randomBytes(10).toString('base64');
    const receivedAt = new Date();
    readBody(req, MAX_PAYLOAD_BYTES)
      .then((body) => respond(gateway, req, { requestId, receivedAt, body }))
      .catch((error: unknown) => {
        gateway.log(JSON.stringify({ level: 'error', message: 'gateway fault', error: String(error) }));
        return gatewayMessage(500, 'Internal Server Error');
      })
      .then((response) => {
        if (gateway.model.cors) applyCors(gateway.model.cors, req.headers.origin, response);
        response.headers['apigw-requestid'] = requestId;
        writeResponse(req, res, response);
      });
  };
}

/** What the gateway serves, checked once: every route has its handler and its authorizer's check. */
interface Gateway {
  model: ServiceModel;
  router: Router<Invocation>;
  authorizers: Map<string, Authorize>;
  log: (line: string) => void;
}

function prepare({
  model,
  handlers,
  authorizers = new Map(),
  log = (line) => console.error(line),
}: GatewayOptions): Gateway {
  const routes = model.functions.flatMap((fn) => {
    if (fn.routes.length === 0) return [];
    const handler = handlers.get(fn.name);
    if (!handler) throw new Error(`No handler loaded for function ${fn.name}`);
    const target: Invocation = { model, fn, handler, log };
    return fn.routes.map((route) => {
      if (route.authorizer && !authorizers.has(route.authorizer)) {
        throw new Error(`No check for authorizer ${route.authorizer} of route ${route.routeKey}`);
      }
      return { ...route, target };
    });
  });
  return { model, router: createRouter(routes), authorizers, log };
}

interface Received {
  requestId: string;
  receivedAt: Date;
  /** Undefined when it was over the size limit. */
  body: Buffer | undefined;
}

/** API Gateway's order: CORS preflight, size limit, route, authorizer, then the function. */
async function respond(gateway: Gateway, req: IncomingMessage, received: Received): Promise<GatewayResponse> {
  const method = (req.method ?? 'GET').toUpperCase();
  const { rawPath, rawQueryString } = splitTarget(req.url ?? '/');
  const { cors } = gateway.model;
  if (cors && isPreflight(method, req.headers)) return preflight(cors, req.headers);
  const { body } = received;
  if (body === undefined) return gatewayMessage(413, 'Request Entity Too Large');
  const match = gateway.router.match(method, rawPath);
  if (!match) return gatewayMessage(404, 'Not Found');
  // A refusal never reaches the function.
  const authorization = await authorize(gateway.authorizers, match.route.authorizer, req.headers);
  if (!authorization.allowed) return gatewayMessage(401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
  const event = buildEvent(req, {
    ...received,
    body,
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    pathParameters: match.pathParameters,
  });
  if (authorization.jwt) Object.assign(event.requestContext, { authorizer: { jwt: authorization.jwt } });
  return invoke(match.route.target, event);
}

type Authorization = { allowed: false } | { allowed: true; jwt?: JwtContext };

/** Runs the route's authorizer, if it has one, on the request's headers. */
async function authorize(
  authorizers: Map<string, Authorize>,
  name: string | undefined,
  headers: IncomingHttpHeaders,
): Promise<Authorization> {
  if (!name) return { allowed: true };
  const jwt = await authorizers.get(name)?.(headers);
  return jwt ? { allowed: true, jwt } : { allowed: false };
}

/** The path and query string of a request target, both as sent (still percent-encoded). */
function splitTarget(url: string): { rawPath: string; rawQueryString: string } {
  const queryAt = url.indexOf('?');
  return queryAt === -1
    ? { rawPath: url, rawQueryString: '' }
    : { rawPath: url.slice(0, queryAt), rawQueryString: url.slice(queryAt + 1) };
}

/** Reads the whole body, or `undefined` once it passes `limit` bytes. */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve(tooLarge ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
