/**
 * A small local stand-in for API Gateway's HTTP API: it routes requests to the
 * handlers declared in serverless.yml with the payload v2 events AWS builds,
 * and maps their results, faults and CORS as AWS does.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import type { Authorize, JwtContext } from './authorizer.js';
import { createRouter } from './router.js';
import type { CorsModel, FunctionModel, ServiceModel } from './service-config.js';

/** Whatever a handler module exports: an async function of (event, context). */
export type Invocable = (event: APIGatewayProxyEventV2, context: Context) => unknown;

/** API Gateway's own limit on a request body. */
const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

interface GatewayResponse {
  statusCode: number;
  headers: Record<string, string>;
  cookies: string[];
  body: Buffer;
  /** Set on what a handler returned, whose CORS headers API Gateway replaces. */
  fromIntegration?: boolean;
}

/** A response API Gateway makes itself: `{"message": …}` as JSON, plus any extra headers. */
const message = (statusCode: number, text: string, headers: Record<string, string> = {}): GatewayResponse => ({
  statusCode,
  headers: { 'content-type': 'application/json', ...headers },
  cookies: [],
  body: Buffer.from(JSON.stringify({ message: text })),
});

export interface GatewayOptions {
  model: ServiceModel;
  /** The handler of each function, by function name. */
  handlers: Map<string, Invocable>;
  /** The check of each authorizer that routes name, by authorizer name. */
  authorizers?: Map<string, Authorize>;
  /** Where faults are reported (the equivalent of CloudWatch Logs). */
  log?: (line: string) => void;
}

export function createGateway({
  model,
  handlers,
  authorizers = new Map(),
  log = (line) => console.error(line),
}: GatewayOptions) {
  for (const fn of model.functions) {
    for (const route of fn.routes) {
      if (route.authorizer && !authorizers.has(route.authorizer)) {
        throw new Error(`No check for authorizer ${route.authorizer} of route ${route.routeKey}`);
      }
    }
  }

  const router = createRouter(model.functions.flatMap((fn) => fn.routes.map((route) => ({ ...route, target: fn }))));

  async function invoke(fn: FunctionModel, event: APIGatewayProxyEventV2): Promise<GatewayResponse> {
    const handler = handlers.get(fn.name);
    if (!handler) throw new Error(`No handler loaded for function ${fn.name}`);
    const deadline = Date.now() + fn.timeoutSeconds * 1000;
    const context = lambdaContext(model, fn, deadline);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`Task timed out after ${fn.timeoutSeconds.toFixed(2)} seconds`)),
        fn.timeoutSeconds * 1000,
      );
    });
    try {
      const result = await Promise.race([Promise.resolve().then(() => handler(event, context)), timeout]);
      return { ...toGatewayResponse(result), fromIntegration: true };
    } catch (error) {
      // As on AWS: the client learns nothing; the log gets everything.
      log(
        JSON.stringify({
          level: 'error',
          function: fn.name,
          requestId: event.requestContext.requestId,
          awsRequestId: context.awsRequestId,
          error:
            error instanceof Error ? { name: error.name, message: error.message, stack: error.stack } : String(error),
        }),
      );
      return message(500, 'Internal Server Error');
    } finally {
      clearTimeout(timer);
    }
  }

  async function respond(req: IncomingMessage, requestId: string, body: Buffer | undefined): Promise<GatewayResponse> {
    const method = (req.method ?? 'GET').toUpperCase();
    const url = req.url ?? '/';
    const queryAt = url.indexOf('?');
    const rawPath = queryAt === -1 ? url : url.slice(0, queryAt);
    const rawQueryString = queryAt === -1 ? '' : url.slice(queryAt + 1);

    if (model.cors && method === 'OPTIONS' && req.headers.origin && req.headers['access-control-request-method']) {
      return preflight(model.cors, req);
    }
    if (body === undefined) return message(413, 'Request Entity Too Large');
    const match = router.match(method, rawPath);
    if (!match) return message(404, 'Not Found');
    // As on AWS: the route's authorizer runs before the function, and a refusal never reaches it.
    let jwt: JwtContext | undefined;
    const authorizerName = match.route.authorizer;
    if (authorizerName) {
      jwt = await authorizers.get(authorizerName)?.(req.headers);
      if (!jwt) return message(401, 'Unauthorized', { 'www-authenticate': 'Bearer' });
    }
    const event = buildEvent(req, {
      requestId,
      routeKey: match.route.routeKey,
      rawPath,
      rawQueryString,
      body,
      pathParameters: match.pathParameters,
    });
    if (jwt) Object.assign(event.requestContext, { authorizer: { jwt } });
    return invoke(match.route.target, event);
  }

  /** The `request` listener of an http.Server. */
  return function listener(req: IncomingMessage, res: ServerResponse): void {
    const requestId = randomBytes(10).toString('base64');
    readBody(req, MAX_PAYLOAD_BYTES)
      .then((body) => respond(req, requestId, body))
      .catch((error: unknown) => {
        log(JSON.stringify({ level: 'error', message: 'gateway fault', error: String(error) }));
        return message(500, 'Internal Server Error');
      })
      .then((response) => {
        if (model.cors) applyCors(model.cors, req, response);
        response.headers['apigw-requestid'] = requestId;
        res.statusCode = response.statusCode;
        for (const [name, value] of Object.entries(response.headers)) res.setHeader(name, value);
        if (response.cookies.length > 0) res.setHeader('set-cookie', response.cookies);
        res.setHeader('content-length', response.body.length);
        res.end(req.method === 'HEAD' ? undefined : response.body);
      });
  };
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

const PLAIN_HOST = /^(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::\d{1,5})?$/;

const TEXT_TYPES = /^(text\/|application\/(?:[\w.+-]+\+)?(?:json|xml|javascript|x-www-form-urlencoded)\b)/i;

interface EventParts {
  requestId: string;
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  body: Buffer;
  pathParameters: Record<string, string>;
}

/** A payload format 2.0 event, as API Gateway's HTTP API builds it. */
export function buildEvent(req: IncomingMessage, parts: EventParts): APIGatewayProxyEventV2 {
  const headers: Record<string, string> = {};
  // API Gateway joins repeated headers with commas and moves cookies to their own field.
  for (let i = 0; i < req.rawHeaders.length; i += 2) {
    const name = (req.rawHeaders[i] ?? '').toLowerCase();
    const value = req.rawHeaders[i + 1] ?? '';
    if (name === 'cookie') continue;
    headers[name] = name in headers ? `${headers[name]},${value}` : value;
  }
  const sourceIp = (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  headers['x-forwarded-for'] = headers['x-forwarded-for'] ? `${headers['x-forwarded-for']}, ${sourceIp}` : sourceIp;
  headers['x-forwarded-proto'] = 'http';
  headers['x-forwarded-port'] = String(req.socket.localPort ?? '');
  // On AWS the domain name is the API's own, whatever the client sent as Host: only a plain host[:port] is taken.
  const host = headers.host && PLAIN_HOST.test(headers.host) ? headers.host : `localhost:${req.socket.localPort ?? ''}`;
  const cookies = (req.headers.cookie ?? '')
    .split(';')
    .map((c) => c.trim())
    .filter(Boolean);

  const now = new Date();
  const method = (req.method ?? 'GET').toUpperCase();
  const event: APIGatewayProxyEventV2 = {
    version: '2.0',
    routeKey: parts.routeKey,
    rawPath: parts.rawPath,
    rawQueryString: parts.rawQueryString,
    headers,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: host,
      domainPrefix: host.split('.')[0] ?? host,
      http: {
        method,
        path: parts.rawPath,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp,
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: parts.requestId,
      routeKey: parts.routeKey,
      stage: '$default',
      time: apiGatewayTime(now),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  };
  if (cookies.length > 0) event.cookies = cookies;
  const query = queryParameters(parts.rawQueryString);
  if (query) event.queryStringParameters = query;
  if (Object.keys(parts.pathParameters).length > 0) event.pathParameters = parts.pathParameters;
  if (parts.body.length > 0) {
    // Text stays text; anything else arrives base64-encoded.
    if (TEXT_TYPES.test(headers['content-type'] ?? '')) {
      event.body = parts.body.toString('utf8');
    } else {
      event.body = parts.body.toString('base64');
      event.isBase64Encoded = true;
    }
  }
  return event;
}

function queryParameters(raw: string): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(raw)) {
    out[name] = name in out ? `${out[name]},${value}` : value;
  }
  return out;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

// 27/Nov/2026:13:16:46 +0000
function apiGatewayTime(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

function lambdaContext(model: ServiceModel, fn: FunctionModel, deadline: number): Context {
  const functionName = `${model.service}-${model.stage}-${fn.name}`;
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:${model.region}:000000000000:function:${functionName}`,
    memoryLimitInMB: String(fn.memorySize),
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/**
 * Payload 2.0 response mapping: an object with `statusCode` is taken as a
 * response; any other JSON value is a 200 JSON body. Anything malformed is the
 * function's fault: 500, as on AWS.
 */
export function toGatewayResponse(result: unknown): GatewayResponse {
  if (result === null || typeof result !== 'object' || !('statusCode' in result)) {
    const body = result === undefined ? undefined : JSON.stringify(result);
    if (body === undefined) throw new Error('Handler returned no value that can be sent');
    return { statusCode: 200, headers: { 'content-type': 'application/json' }, cookies: [], body: Buffer.from(body) };
  }
  const r = result as Record<string, unknown>;
  const statusCode = r.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    throw new Error(`Handler returned an invalid statusCode: ${JSON.stringify(statusCode)}`);
  }
  const headers: Record<string, string> = {};
  if (r.headers !== undefined) {
    if (r.headers === null || typeof r.headers !== 'object' || Array.isArray(r.headers)) {
      throw new Error('Handler returned invalid headers');
    }
    for (const [name, value] of Object.entries(r.headers)) {
      if (!['string', 'number', 'boolean'].includes(typeof value))
        throw new Error(`Handler returned invalid header ${name}`);
      headers[name.toLowerCase()] = String(value);
    }
  }
  const cookies = r.cookies === undefined ? [] : r.cookies;
  if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) {
    throw new Error('Handler returned invalid cookies');
  }
  if (r.body !== undefined && typeof r.body !== 'string')
    throw new Error('Handler returned a body that is not a string');
  const body =
    r.body === undefined ? Buffer.alloc(0) : Buffer.from(r.body, r.isBase64Encoded === true ? 'base64' : 'utf8');
  if (body.length > 0 && !headers['content-type']) headers['content-type'] = 'application/json';
  return { statusCode, headers, cookies, body };
}

/** The Access-Control-Allow-Origin for a request; none without an Origin header, as on AWS. */
function allowedOrigin(cors: CorsModel, origin: string | undefined): string | undefined {
  if (!origin) return undefined;
  if (cors.allowedOrigins.includes('*')) return cors.allowCredentials ? origin : '*';
  return cors.allowedOrigins.includes(origin) ? origin : undefined;
}

function preflight(cors: CorsModel, req: IncomingMessage): GatewayResponse {
  const response: GatewayResponse = { statusCode: 204, headers: {}, cookies: [], body: Buffer.alloc(0) };
  const requested = String(req.headers['access-control-request-method']).toUpperCase();
  if (!allowedOrigin(cors, req.headers.origin) || !cors.allowedMethods.includes(requested)) return response;
  response.headers['access-control-allow-methods'] = cors.allowedMethods.join(',');
  response.headers['access-control-allow-headers'] = cors.allowedHeaders.join(',').toLowerCase();
  if (cors.maxAge !== undefined) response.headers['access-control-max-age'] = String(cors.maxAge);
  return response;
}

/** API Gateway's CORS headers replace whatever the integration returned. */
function applyCors(cors: CorsModel, req: IncomingMessage, response: GatewayResponse): void {
  if (response.fromIntegration) {
    for (const name of Object.keys(response.headers)) {
      if (name.startsWith('access-control-')) delete response.headers[name];
    }
  }
  const origin = allowedOrigin(cors, req.headers.origin);
  if (!origin) return;
  response.headers['access-control-allow-origin'] = origin;
  if (origin !== '*') response.headers.vary = 'Origin';
  if (cors.allowCredentials) response.headers['access-control-allow-credentials'] = 'true';
  if (cors.exposedResponseHeaders.length > 0) {
    response.headers['access-control-expose-headers'] = cors.exposedResponseHeaders.join(',').toLowerCase();
  }
}
