/**
 * A small local stand-in for API Gateway's HTTP API: it routes requests to the
 * handlers declared in serverless.yml with the payload v2 events AWS builds,
 * and maps their results, faults and CORS as AWS does. Each concern has its
 * module (event.ts, invoke.ts, cors.ts, router.ts, authorizer.ts); this one
 * puts them in API Gateway's order.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingHttpHeaders, IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Authorize, JwtContext } from './authorizer.js';
import { applyCors, isPreflight, preflight } from './cors.js';
import { buildEvent } from './event.js';
import { type Invocable, type Invocation, invoke } from './invoke.js';
import { type GatewayResponse, gatewayMessage, writeResponse } from './response.js';
import { createRouter, type Router } from './router.js';
import type { ServiceModel } from './service-config.js';

/** API Gateway's own limit on a request body. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/** Requests served at once by default; the next ones are answered 503 until one of them ends. */
const DEFAULT_MAX_IN_FLIGHT = 256;

export interface GatewayOptions {
  model: ServiceModel;
  /** The handler of each function, by function name. */
  handlers: Map<string, Invocable>;
  /** The check of each authorizer that routes name, by authorizer name. */
  authorizers?: Map<string, Authorize>;
  /** Where faults are reported (the equivalent of CloudWatch Logs). */
  log?: (line: string) => void;
  /**
   * Requests in flight at once (from their headers' arrival until their answer is sent, a body still being
   * uploaded included); beyond it, 503 with Retry-After. Default DEFAULT_MAX_IN_FLIGHT.
   */
  maxInFlight?: number;
  /**
   * What the server answers besides the API (the local issuer's keys and sign-in), after the checks every request
   * passes: true when it answers `req` itself. It decides at once, from the request line and headers; its answer may
   * follow later (after reading a body), and the request is then its own to finish.
   */
  serveLocal?: (req: IncomingMessage, res: ServerResponse) => boolean;
  /** Told of every answered request, as API Gateway's access log is (with why a 401 was refused). */
  onRequest?: (entry: AccessEntry) => void;
}

/** One answered request, with the fields of the HTTP API access log that serverless.yml configures. */
export interface AccessEntry {
  requestId: string;
  /** When the request arrived. */
  time: Date;
  ip: string;
  method: string;
  /** The path as sent (its query string left out: it may hold a cursor). */
  path: string;
  protocol: string;
  /** The route that matched, if one did. */
  routeKey?: string;
  status: number;
  responseLength: number;
  /** From the request's arrival to its answer. */
  latencyMs: number;
  /** How long the function took, when one ran. */
  integrationLatencyMs?: number;
  /** Why the authorizer refused the request (a 401). */
  authorizerError?: string;
}

/** What `respond` found out on the way, for the access log. */
interface Trace {
  routeKey?: string;
  authorizerError?: string;
  integrationLatencyMs?: number;
}

/** Random bytes for request ids, drawn 256 ids at a time (a call per request costs more than its 10 bytes). */
let idBytes = Buffer.alloc(0);
let idAt = 0;

/** A request id as API Gateway's look: 10 random bytes in base64. */
function newRequestId(): string {
  if (idAt + 10 > idBytes.length) {
    idBytes = randomBytes(2560);
    idAt = 0;
  }
  idAt += 10;
  return idBytes.toString('base64', idAt - 10, idAt);
}

/** Connections that carried a malformed request, and are closed after its answer. */
const refused = new WeakSet<Socket>();

/** The `request` listener of an http.Server that serves `model`'s routes. */
export function createGateway(options: GatewayOptions): RequestListener {
  const gateway = prepare(options);
  const maxInFlight = options.maxInFlight ?? DEFAULT_MAX_IN_FLIGHT;
  let inFlight = 0;
  return (req, res) => {
    // A connection that carried a malformed request closes after its 400: what it pipelined behind it is never
    // served, nor answered (it goes with the connection).
    if (refused.has(req.socket)) return;
    inFlight++;
    // The request is over when its answer has gone, or when its connection is lost first (a timeout, a reset, a
    // pipelined request whose connection closes before its turn): whichever comes first, counted once.
    let over = false;
    const end = () => {
      if (over) return;
      over = true;
      inFlight--;
      req.socket.off('close', end);
    };
    res.once('close', end);
    req.socket.once('close', end);
    const requestId = newRequestId();
    const receivedAt = new Date();
    const started = performance.now();
    const trace: Trace = {};
    const bad = malformed(req);
    if (bad) refused.add(req.socket);
    const refusal = bad ?? (inFlight > maxInFlight ? overloaded() : undefined);
    if (!refusal && options.serveLocal?.(req, res)) return;
    const answer = refusal
      ? Promise.resolve(refusal)
      : (declaresBody(req) ? readBody(req, MAX_PAYLOAD_BYTES) : Promise.resolve(NO_BODY))
          .then((body) => respond(gateway, req, { requestId, receivedAt, body }, trace))
          .catch((error: unknown) => {
            // A client that went away before its request was whole (a timeout, a reset) is nobody's fault.
            if (!req.complete) return undefined;
            gateway.log(JSON.stringify({ level: 'error', message: 'gateway fault', error: String(error) }));
            return gatewayMessage(500, 'Internal Server Error');
          });
    answer.then((response) => {
      if (!response || res.destroyed) return;
      if (gateway.model.cors) applyCors(gateway.model.cors, req.headers.origin, response);
      response.headers['apigw-requestid'] = requestId;
      writeResponse(req, res, response);
      options.onRequest?.({
        requestId,
        time: receivedAt,
        ip: req.socket.remoteAddress ?? '',
        method: req.method ?? '',
        path: splitTarget(req.url ?? '/').rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        status: response.statusCode,
        responseLength: response.body.length,
        latencyMs: Math.round(performance.now() - started),
        ...trace,
      });
    });
  };
}

/**
 * A request no server may serve: more than one Host (RFC 9112 §3.2: 400; Node's parser already refuses a request
 * without one). The connection is closed after the answer, as the rest of what it carries cannot be trusted either.
 */
function malformed(req: IncomingMessage): GatewayResponse | undefined {
  if ((req.headersDistinct.host?.length ?? 0) > 1) {
    return gatewayMessage(400, 'Bad Request', { connection: 'close' });
  }
  return undefined;
}

/**
 * Too many requests in flight: API Gateway's own 503 message, with a hint to retry shortly. The connection is
 * closed after it (shedding load), and the request's body, if any, is never read.
 */
function overloaded(): GatewayResponse {
  return gatewayMessage(503, 'Service Unavailable', { 'retry-after': '1', connection: 'close' });
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
async function respond(
  gateway: Gateway,
  req: IncomingMessage,
  received: Received,
  trace: Trace,
): Promise<GatewayResponse> {
  const method = (req.method ?? 'GET').toUpperCase();
  const { rawPath, rawQueryString } = splitTarget(req.url ?? '/');
  const { cors } = gateway.model;
  if (cors && isPreflight(method, req.headers)) return preflight(cors, req.headers);
  const { body } = received;
  if (body === undefined) return gatewayMessage(413, 'Request Entity Too Large');
  const match = gateway.router.match(method, rawPath);
  if (!match) return gatewayMessage(404, 'Not Found');
  trace.routeKey = match.route.routeKey;
  // A refusal never reaches the function. The authorizer sees every value of a repeated header, so that two
  // Authorization headers are refused (API Gateway would join them with a comma, which is no token) instead of
  // being read as the first one's user. Without an authorizer (AUTH_MODE=none) nothing reads Authorization, and
  // the request goes on as on AWS: the function gets the values joined with a comma, as any repeated header.
  const authorization = await authorize(gateway.authorizers, match.route.authorizer, distinctHeaders(req));
  if ('refused' in authorization) {
    trace.authorizerError = authorization.refused;
    return gatewayMessage(401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
  }
  const event = buildEvent(req, {
    ...received,
    body,
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString,
    pathParameters: match.pathParameters,
  });
  if (authorization.jwt) Object.assign(event.requestContext, { authorizer: { jwt: authorization.jwt } });
  const invoked = performance.now();
  try {
    return await invoke(match.route.target, event);
  } finally {
    trace.integrationLatencyMs = Math.round(performance.now() - invoked);
  }
}

/** Runs the route's authorizer, if it has one, on the request's headers. */
async function authorize(
  authorizers: Map<string, Authorize>,
  name: string | undefined,
  headers: IncomingHttpHeaders,
): Promise<{ jwt?: JwtContext } | { refused: string }> {
  if (!name) return {};
  const check = authorizers.get(name);
  if (!check) throw new Error(`No check for the authorizer ${name}`);
  return check(headers);
}

/** The request's headers, each one sent more than once as the array of its values. */
function distinctHeaders(req: IncomingMessage): IncomingHttpHeaders {
  const headers: IncomingHttpHeaders = {};
  for (const [name, values = []] of Object.entries(req.headersDistinct)) {
    headers[name] = values.length === 1 ? values[0] : values;
  }
  return headers;
}

/** The path and query string of a request target, both as sent (still percent-encoded). */
function splitTarget(url: string): { rawPath: string; rawQueryString: string } {
  const queryAt = url.indexOf('?');
  return queryAt === -1
    ? { rawPath: url, rawQueryString: '' }
    : { rawPath: url.slice(0, queryAt), rawQueryString: url.slice(queryAt + 1) };
}

const NO_BODY = Buffer.alloc(0);

/**
 * Whether a request has a body to read: one that declares none (no Transfer-Encoding, no Content-Length or 0) has
 * an empty one, complete with its headers, and nothing to wait for.
 */
function declaresBody(req: IncomingMessage): boolean {
  const length = req.headers['content-length'];
  return req.headers['transfer-encoding'] !== undefined || (length !== undefined && length !== '0');
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
