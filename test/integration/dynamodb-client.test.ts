/**
 * The DynamoDB client against a scripted HTTP server on the loopback interface:
 * what it sends, which failures it retries, and how errors are mapped.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, createServer as createTcpServer } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import {
  ConditionalCheckFailedError,
  type Credentials,
  createDynamoDbClient,
  DynamoDbError,
  STORE_BUDGET,
  withStoreDeadline,
} from '../../src/store/dynamodb.js';
import { StoreUnavailableError } from '../../src/todos/errors.js';
import { sdkSigner } from '../support/sdk-signer.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
  /** Whether the client gave up on this request before it was answered. */
  abandoned: boolean;
}

/** A scripted answer; `hang` never answers (until the client gives up). */
type Reply = { status: number; body: string } | { hang: true };

const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const REGION = 'eu-central-1';

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let replies: Reply[] = [];

const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) });
const awsError = (status: number, type: string, message = 'x'): Reply =>
  json(status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

function answer(reply: Reply, res: ServerResponse, request: Seen): void {
  res.on('close', () => {
    if (!res.writableFinished) request.abandoned = true;
  });
  if ('hang' in reply) return;
  res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
  res.end(reply.body);
}

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const request: Seen = {
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
        abandoned: false,
      };
      seen.push(request);
      answer(replies.shift() ?? { status: 599, body: '{"__type":"NoScriptedReply"}' }, res, request);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

after(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen = [];
  replies = [];
});

const client = (maxAttempts = 3, timeoutMs = 2000, credentials: Credentials = CREDENTIALS) =>
  createDynamoDbClient({ region: REGION, endpoint, credentials, maxAttempts, timeoutMs });

/**
 * Asserts that `promise` rejects with a StoreUnavailableError that says to retry after `retryAfter` seconds, caused
 * by the last attempt's failure, which `cause` checks.
 */
async function rejectsUnavailable(promise: Promise<unknown>, retryAfter: number, cause: (error: unknown) => void) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof StoreUnavailableError, `expected a StoreUnavailableError, got ${String(error)}`);
    assert.equal(error.retryAfterSeconds, retryAfter);
    cause(error.cause);
    return true;
  });
}

/** A check of a DynamoDbError's name, status and message. */
const dynamoDbError = (name: string, statusCode: number, message?: string) => (error: unknown) => {
  assert.ok(error instanceof DynamoDbError, `expected a DynamoDbError, got ${String(error)}`);
  assert.equal(error.name, name);
  assert.equal(error.statusCode, statusCode);
  if (message !== undefined) assert.equal(error.message, message);
};

/** Asserts that `promise` rejects with a DynamoDbError of this name and status. */
async function rejectsWith(promise: Promise<unknown>, name: string, statusCode: number, message?: string) {
  await assert.rejects(promise, (error: unknown) => {
    assert.ok(error instanceof DynamoDbError, `expected a DynamoDbError, got ${String(error)}`);
    assert.equal(error.name, name);
    assert.equal(error.statusCode, statusCode);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

/**
 * The signature the AWS SDK's own signer (a second, independent SigV4 implementation) computes for the request the
 * server received, over the headers the client said it signed.
 */
async function sdkSignature(request: Seen, credentials: Credentials): Promise<string> {
  const authorization = String(request.headers.authorization);
  const signedNames = /SignedHeaders=([^,]+)/.exec(authorization)?.[1]?.split(';') ?? [];
  const headers: Record<string, string> = {};
  for (const name of signedNames) headers[name] = String(request.headers[name]);
  const amzDate = String(request.headers['x-amz-date']);
  const signingDate = new Date(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, '$1-$2-$3T$4:$5:$6Z'));
  const signer = sdkSigner(credentials, REGION);
  const url = new URL(endpoint);
  const signed = await signer.sign(
    {
      method: request.method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: request.url,
      query: {},
      headers,
      body: request.body,
    },
    { signingDate },
  );
  return String(signed.headers.authorization);
}

describe('createDynamoDbClient', () => {
  test('a 200 returns the parsed JSON', async () => {
    replies = [json(200, { Item: { id: { S: 'a' } } })];
    const output = await client().send('GetItem', { TableName: 't', Key: { id: { S: 'a' } } });
    assert.deepEqual(output, { Item: { id: { S: 'a' } } });
    assert.equal(seen.length, 1);
  });

  test('sends a POST to / with the operation as x-amz-target and the input as JSON, signed as AWS verifies', async () => {
    replies = [json(200, {})];
    const input = { TableName: 't', Item: { title: { S: 'ü 😀' } } };
    await client().send('PutItem', input);
    const [request] = seen;
    assert.ok(request);
    assert.equal(request.method, 'POST');
    assert.equal(request.url, '/');
    assert.equal(request.headers['x-amz-target'], 'DynamoDB_20120810.PutItem');
    assert.equal(request.headers['content-type'], 'application/x-amz-json-1.0');
    assert.equal(request.headers['content-length'], String(Buffer.byteLength(request.body)));
    assert.equal(request.headers.host, new URL(endpoint).host);
    assert.deepEqual(JSON.parse(request.body), input);
    const authorization = String(request.headers.authorization);
    assert.match(authorization, new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDLOCAL/\\d{8}/${REGION}/dynamodb/`));
    // The body, the operation and the endpoint's host (port included) are covered by the signature.
    assert.match(authorization, /SignedHeaders=[^,]*\bhost\b/);
    assert.match(authorization, /SignedHeaders=[^,]*\bx-amz-target\b/);
    assert.equal(authorization, await sdkSignature(request, CREDENTIALS));
  });

  test('a session token is sent as x-amz-security-token and signed', async () => {
    replies = [json(200, {})];
    const temporary = { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVz+token==' };
    await client(3, 2000, temporary).send('GetItem', { TableName: 't', Key: {} });
    const [request] = seen;
    assert.ok(request);
    assert.equal(request.headers['x-amz-security-token'], temporary.sessionToken);
    assert.match(String(request.headers.authorization), /SignedHeaders=[^,]*x-amz-security-token/);
    assert.equal(request.headers.authorization, await sdkSignature(request, temporary));
  });

  test('an https endpoint is reached over TLS', async () => {
    // A TCP server that keeps the first bytes it receives and hangs up: a TLS handshake record starts with 0x16.
    const first: Buffer[] = [];
    const tcp = createTcpServer((socket) =>
      socket.once('data', (chunk: Buffer) => first.push(chunk) && socket.destroy()),
    );
    await new Promise<void>((resolve) => tcp.listen(0, '127.0.0.1', resolve));
    try {
      const secure = createDynamoDbClient({
        region: REGION,
        endpoint: `https://127.0.0.1:${(tcp.address() as AddressInfo).port}`,
        credentials: CREDENTIALS,
        maxAttempts: 1,
      });
      await rejectsUnavailable(secure.send('GetItem', { TableName: 't', Key: {} }), 2, () => {});
      assert.equal(first.length, 1);
      assert.equal(first[0]?.[0], 0x16);
    } finally {
      await new Promise<void>((resolve) => tcp.close(() => resolve()));
    }
  });

  test('each operation name goes into x-amz-target', async () => {
    replies = [json(200, {}), json(200, {}), json(200, {}), json(200, {})];
    const c = client();
    await c.send('Query', { TableName: 't' });
    await c.send('UpdateItem', { TableName: 't', Key: {} });
    await c.send('DeleteItem', { TableName: 't', Key: {} });
    await c.send('BatchWriteItem', { RequestItems: {} });
    assert.deepEqual(
      seen.map((s) => s.headers['x-amz-target']),
      ['Query', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'].map((operation) => `DynamoDB_20120810.${operation}`),
    );
  });

  test('a failed condition is a ConditionalCheckFailedError carrying the stored item, and is not retried', async () => {
    const stored = { owner: { S: 'o' }, id: { S: 'i' }, title: { S: 'there first' } };
    replies = [
      json(400, {
        __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
        message: 'The conditional request failed',
        Item: stored,
      }),
    ];
    await assert.rejects(client(4).send('PutItem', { TableName: 't', Item: {} }), (error: unknown) => {
      assert.ok(error instanceof ConditionalCheckFailedError);
      assert.equal(error.name, 'ConditionalCheckFailedException');
      assert.equal(error.statusCode, 400);
      assert.equal(error.message, 'The conditional request failed');
      assert.deepEqual(error.item, stored);
      return true;
    });
    assert.equal(seen.length, 1);
  });

  test('a failed condition without an item (there was none) has item undefined', async () => {
    replies = [awsError(400, 'ConditionalCheckFailedException', 'The conditional request failed')];
    await assert.rejects(client().send('DeleteItem', { TableName: 't', Key: {} }), (error: unknown) => {
      assert.ok(error instanceof ConditionalCheckFailedError);
      assert.equal(error.item, undefined);
      return true;
    });
  });

  test('other client errors are not retried either', async () => {
    replies = [awsError(400, 'ValidationException', 'One or more parameter values were invalid')];
    await rejectsWith(client(4).send('Query', { TableName: 't' }), 'ValidationException', 400);
    assert.equal(seen.length, 1);
  });

  test('ThrottlingException is retried up to maxAttempts, then the store is unavailable: retry in 1 s', async () => {
    replies = [
      awsError(400, 'ThrottlingException', 'slow down 1'),
      awsError(400, 'ThrottlingException', 'slow down 2'),
      awsError(400, 'ThrottlingException', 'slow down 3'),
      json(200, { never: 'reached' }),
    ];
    await rejectsUnavailable(
      client(3).send('Query', { TableName: 't' }),
      1,
      dynamoDbError('ThrottlingException', 400, 'slow down 3'),
    );
    assert.equal(seen.length, 3);
  });

  test("every throttling name is throttling; the store's own 5xx names are unavailability", async () => {
    for (const name of ['ProvisionedThroughputExceededException', 'RequestLimitExceeded']) {
      replies = [awsError(400, name)];
      await rejectsUnavailable(client(1).send('Query', { TableName: 't' }), 1, dynamoDbError(name, 400));
    }
    for (const [status, name] of [
      [503, 'ServiceUnavailable'],
      [400, 'TransactionConflictException'],
    ] as const) {
      replies = [awsError(status, name)];
      await rejectsUnavailable(client(1).send('Query', { TableName: 't' }), 2, dynamoDbError(name, status));
    }
  });

  test('ProvisionedThroughputExceededException is retried', async () => {
    replies = [awsError(400, 'ProvisionedThroughputExceededException'), json(200, { Count: 0 })];
    assert.deepEqual(await client(3).send('Query', { TableName: 't' }), { Count: 0 });
    assert.equal(seen.length, 2);
  });

  test('a 500 is retried up to maxAttempts, then the store is unavailable: retry in 2 s', async () => {
    replies = [
      awsError(500, 'InternalServerError', 'boom'),
      awsError(500, 'InternalServerError', 'boom'),
      json(200, { never: 'reached' }),
    ];
    await rejectsUnavailable(
      client(2).send('PutItem', { TableName: 't', Item: {} }),
      2,
      dynamoDbError('InternalServerError', 500, 'boom'),
    );
    assert.equal(seen.length, 2);
  });

  test('success after one 500 returns the result of the same request sent again', async () => {
    replies = [awsError(500, 'InternalServerError'), json(200, { Attributes: { id: { S: 'a' } } })];
    assert.deepEqual(await client(3).send('UpdateItem', { TableName: 't', Key: {} }), {
      Attributes: { id: { S: 'a' } },
    });
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.body, seen[1]?.body);
    assert.equal(seen[0]?.headers['x-amz-target'], seen[1]?.headers['x-amz-target']);
  });

  test('maxAttempts 1 means no retry', async () => {
    replies = [awsError(500, 'InternalServerError'), json(200, {})];
    await rejectsUnavailable(
      client(1).send('GetItem', { TableName: 't', Key: {} }),
      2,
      dynamoDbError('InternalServerError', 500),
    );
    assert.equal(seen.length, 1);
  });

  test('a 5xx body that is not DynamoDB JSON becomes UnknownError with the HTTP status (a proxy failing)', async () => {
    replies = [{ status: 502, body: '<html>Bad Gateway</html>' }];
    await rejectsUnavailable(
      client(1).send('GetItem', { TableName: 't', Key: {} }),
      2,
      dynamoDbError('UnknownError', 502, 'HTTP 502'),
    );
    replies = [{ status: 403, body: '<html>Forbidden</html>' }];
    await rejectsWith(client(3).send('GetItem', { TableName: 't', Key: {} }), 'UnknownError', 403, 'HTTP 403');
    assert.equal(seen.length, 2, 'a 4xx that is not throttling is not retried');
  });

  test('a 200 that is not JSON is a broken store: a fault at once, neither retried nor "unavailable"', async () => {
    replies = [{ status: 200, body: '{"Item": garbage' }, json(200, {})];
    await assert.rejects(client(3).send('GetItem', { TableName: 't', Key: {} }), SyntaxError);
    assert.equal(seen.length, 1);
  });

  test('the Message spelling of the message is understood', async () => {
    replies = [json(400, { __type: 'com.amazon.coral.validate#ValidationException', Message: 'Bad key' })];
    await rejectsWith(client(1).send('GetItem', { TableName: 't', Key: {} }), 'ValidationException', 400, 'Bad key');
  });

  test('an attempt that gets no answer is abandoned and retried', async () => {
    replies = [{ hang: true }, json(200, { Item: { id: { S: 'on time' } } })];
    assert.deepEqual(await client(2, 100).send('GetItem', { TableName: 't', Key: {} }), {
      Item: { id: { S: 'on time' } },
    });
    assert.equal(seen.length, 2);
    assert.equal(seen[0]?.abandoned, true, 'the client closed the unanswered request');
  });

  test('an attempt that never gets an answer ends in unavailability after maxAttempts', async () => {
    replies = [{ hang: true }, { hang: true }];
    await rejectsUnavailable(client(2, 50).send('GetItem', { TableName: 't', Key: {} }), 2, (cause) =>
      assert.match(String(cause), /GetItem got no answer in 50 ms/),
    );
    assert.equal(seen.length, 2);
  });

  test('all attempts together stay within the total budget, however many are allowed', async () => {
    replies = Array.from({ length: 20 }, () => ({ hang: true }) as const);
    const started = Date.now();
    const short = createDynamoDbClient({
      region: REGION,
      endpoint,
      credentials: CREDENTIALS,
      maxAttempts: 20,
      timeoutMs: 100,
      totalMs: 350,
    });
    await rejectsUnavailable(short.send('GetItem', { TableName: 't', Key: {} }), 2, () => {});
    // 100 ms attempts and random waits between them, 350 ms in all: two to four attempts, never twenty.
    assert.ok(seen.length >= 2 && seen.length <= 4, `${seen.length} attempts`);
    // Twenty would take over 2 s; the slack above 350 ms is for a busy machine's late timers, not for more attempts.
    assert.ok(Date.now() - started < 350 + 1000, `${Date.now() - started} ms`);
    assert.ok(STORE_BUDGET.totalMs < 3000, 'by default, a hanging store is a 503 within 3 s');
  });

  test("a request's deadline caps its calls, less the margin to answer; past it, no attempt is made", async () => {
    replies = [{ hang: true }, { hang: true }];
    const started = Date.now();
    const deadline = started + STORE_BUDGET.answerMarginMs + 200;
    await withStoreDeadline(deadline, () =>
      rejectsUnavailable(client(3, 5000).send('GetItem', { TableName: 't', Key: {} }), 2, (cause) => {
        // The attempt was cut to the 200 ms left before the margin, not given its own 5 s, nor the margin too.
        const cut = Number(/got no answer in (\d+) ms/.exec(String(cause))?.[1]);
        assert.ok(cut > 0 && cut <= 200, String(cause));
      }),
    );
    assert.ok(Date.now() < deadline, 'answered with time left to answer');
    const sent = seen.length;
    await withStoreDeadline(Date.now() + STORE_BUDGET.answerMarginMs, () =>
      rejectsUnavailable(client(3).send('GetItem', { TableName: 't', Key: {} }), 2, (cause) =>
        assert.match(String(cause), /No time left/),
      ),
    );
    assert.equal(seen.length, sent, 'no attempt without the time for one');
  });

  test("once the store failed a request, the request's later calls get one short attempt", async () => {
    await withStoreDeadline(Date.now() + 60_000, async () => {
      replies = [awsError(500, 'InternalServerError'), awsError(500, 'InternalServerError')];
      await rejectsUnavailable(client(2).send('PutItem', { TableName: 't', Item: {} }), 2, () => {});
      replies = [awsError(500, 'InternalServerError'), json(200, {})];
      await rejectsUnavailable(client(3).send('UpdateItem', { TableName: 't', Key: {} }), 2, () => {});
    });
    assert.equal(seen.length, 3);
    // Another request starts afresh.
    replies = [awsError(500, 'InternalServerError'), json(200, { Item: {} })];
    await withStoreDeadline(Date.now() + 60_000, async () => {
      assert.deepEqual(await client(3).send('GetItem', { TableName: 't', Key: {} }), { Item: {} });
    });
  });

  test('overlapping requests each keep their own deadline and tally, the first alone or not', async () => {
    let release = () => {};
    const barrier = new Promise<void>((resolve) => {
      release = resolve;
    });
    const c = client(3);
    const first = { retries: 0, unavailable: 0 };
    const second = { retries: 0, unavailable: 0 };
    const third = { retries: 0, unavailable: 0 };
    // The first request starts alone, and calls the store only once the others have started and ended.
    const alone = withStoreDeadline(
      Date.now() + 60_000,
      async () => {
        await barrier;
        return c.send('GetItem', { TableName: 't', Key: {} });
      },
      first,
    );
    // The second has no time left for a call: it fails at once, sending nothing.
    await withStoreDeadline(
      Date.now() + STORE_BUDGET.answerMarginMs,
      () => rejectsUnavailable(c.send('GetItem', { TableName: 't', Key: {} }), 2, () => {}),
      second,
    );
    // The third is retried once.
    replies = [awsError(500, 'InternalServerError'), json(200, { Item: { n: { N: '3' } } })];
    assert.deepEqual(
      await withStoreDeadline(Date.now() + 60_000, () => c.send('GetItem', { TableName: 't', Key: {} }), third),
      { Item: { n: { N: '3' } } },
    );
    // The first still has its own deadline (not the second's) and its own tally (not the third's).
    replies = [awsError(500, 'InternalServerError'), json(200, { Item: { n: { N: '1' } } })];
    release();
    assert.deepEqual(await alone, { Item: { n: { N: '1' } } });
    assert.deepEqual(
      [first, second, third],
      [
        { retries: 1, unavailable: 0 },
        { retries: 0, unavailable: 1 },
        { retries: 1, unavailable: 0 },
      ],
    );
    assert.equal(seen.length, 4);
  });

  test('a failed condition after an attempt that may have been applied says so; after throttling it does not', async () => {
    const refused = json(400, {
      __type: 'com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException',
      message: 'The conditional request failed',
    });
    for (const [first, uncertain] of [
      [awsError(500, 'InternalServerError'), true],
      [{ hang: true } as const, true],
      [awsError(400, 'ThrottlingException'), false],
    ] as const) {
      replies = [first, refused];
      await assert.rejects(client(3, 100).send('DeleteItem', { TableName: 't', Key: {} }), (error: unknown) => {
        assert.ok(error instanceof ConditionalCheckFailedError);
        assert.equal(error.afterUncertainAttempt, uncertain, JSON.stringify(first));
        return true;
      });
    }
    replies = [refused];
    await assert.rejects(client(3).send('DeleteItem', { TableName: 't', Key: {} }), (error: unknown) => {
      assert.ok(error instanceof ConditionalCheckFailedError);
      assert.equal(error.afterUncertainAttempt, false, 'a first attempt is certain');
      return true;
    });
  });

  test('a refused connection is retried, then the store is unavailable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const unreachable = createDynamoDbClient({
      region: REGION,
      endpoint: `http://127.0.0.1:${port}`,
      credentials: CREDENTIALS,
      maxAttempts: 2,
    });
    await rejectsUnavailable(unreachable.send('GetItem', { TableName: 't', Key: {} }), 2, (cause) => {
      assert.ok(cause instanceof Error);
      assert.equal(cause instanceof DynamoDbError, false);
      assert.match(String((cause as NodeJS.ErrnoException).code), /ECONNREFUSED/);
    });
  });
});
