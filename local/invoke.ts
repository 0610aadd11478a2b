/**
 * Invoking a function as Lambda does for API Gateway: a Lambda context, the function's timeout, and its result
 * mapped to an HTTP response by payload 2.0's rules. Whatever goes wrong is the function's fault: the client gets
 * API Gateway's plain 500 and the log gets the details.
 */
import { randomUUID } from 'node:crypto';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { type GatewayResponse, gatewayMessage } from './response.js';
import type { FunctionModel, ServiceModel } from './service-config.js';

/** Whatever a handler module exports: an async function of (event, context). */
export type Invocable = (event: APIGatewayProxyEventV2, context: Context) => unknown;

/** One function, ready to be invoked. */
export interface Invocation {
  model: ServiceModel;
  fn: FunctionModel;
  handler: Invocable;
  /** Where faults are reported (the equivalent of CloudWatch Logs). */
  log: (line: string) => void;
}

/** Runs the function on `event` and maps what it returns, throws or fails to return in time. */
export async function invoke(
  { model, fn, handler, log }: Invocation,
  event: APIGatewayProxyEventV2,
): Promise<GatewayResponse> {
  const context = lambdaContext(model, fn, Date.now() + fn.timeoutSeconds * 1000);
  try {
    const result = await withTimeout(
      Promise.resolve().then(() => handler(event, context)),
      fn.timeoutSeconds,
    );
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
    return gatewayMessage(500, 'Internal Server Error');
  }
}

/** `result`, or Lambda's timeout error once `seconds` have passed without it. */
async function withTimeout<T>(result: Promise<T>, seconds: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`Task timed out after ${seconds.toFixed(2)} seconds`)), seconds * 1000);
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    clearTimeout(timer);
  }
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
  const headers = responseHeaders(r.headers);
  const cookies = responseCookies(r.cookies);
  const body = responseBody(r.body, r.isBase64Encoded === true);
  if (body.length > 0 && !headers['content-type']) headers['content-type'] = 'application/json';
  return { statusCode, headers, cookies, body };
}

/** A response's headers, names lower-cased; scalar values only. */
function responseHeaders(headers: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (headers === undefined) return out;
  if (headers === null || typeof headers !== 'object' || Array.isArray(headers)) {
    throw new Error('Handler returned invalid headers');
  }
  for (const [name, value] of Object.entries(headers)) {
    if (!['string', 'number', 'boolean'].includes(typeof value))
      throw new Error(`Handler returned invalid header ${name}`);
    out[name.toLowerCase()] = String(value);
  }
  return out;
}

function responseCookies(cookies: unknown): string[] {
  if (cookies === undefined) return [];
  if (!Array.isArray(cookies) || !cookies.every((c) => typeof c === 'string')) {
    throw new Error('Handler returned invalid cookies');
  }
  return cookies;
}

function responseBody(body: unknown, isBase64Encoded: boolean): Buffer {
  if (body === undefined) return Buffer.alloc(0);
  if (typeof body !== 'string') throw new Error('Handler returned a body that is not a string');
  return Buffer.from(body, isBase64Encoded ? 'base64' : 'utf8');
}
