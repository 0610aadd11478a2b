/**
 * The DynamoDB client against a scripted HTTP server on the loopback interface:
 * what it sends, which failures it retries, and how errors are mapped.
 */
import assert from 'node:assert/strict';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, beforeEach, describe, test } from 'node:test';
import aws4 from 'aws4';
import { createDynamoDbClient, DynamoDbError } from '../../src/store/dynamodb.js';

interface Seen {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Reply {
  status: number;
  body: string;
  /** Milliseconds to wait before answering. */
  delayMs?: number;
}

const CREDENTIALS = { accessKeyId: 'AKIDLOCAL', secretAccessKey: 'local-secret' };
const REGION = 'eu-central-1';

let server: Server;
let endpoint: string;
let seen: Seen[] = [];
let replies: Reply[] = [];

const json = (status: number, value: unknown): Reply => ({ status, body: JSON.stringify(value) });
const awsError = (status: number, type: string, message = 'x'): Reply =>
  json(status, { __type: `com.amazonaws.dynamodb.v20120810#${type}`, message });

before(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      seen.push({
        method: req.method ?? '',
        url: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      });
      const reply = replies.shift() ?? { status: 599, body: '{"__type":"NoScriptedReply"}' };
      const answer = () => {
        res.writeHead(reply.status, { 'content-type': 'application/x-amz-json-1.0' });
        res.end(reply.body);
      };
      if (reply.delayMs) setTimeout(answer, reply.delayMs);
      else answer();
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

const client = (maxAttempts = 3, timeoutMs = 2000) =>
  createDynamoDbClient({ region: REGION, endpoint, credentials: CREDENTIALS, maxAttempts, timeoutMs });

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

describe('createDynamoDbClient', () => {
  test('a 200 returns the parsed JSON', async () => {
    replies = [json(200, { Item: { id: { S: 'a' } }, Count: 1 })];
    const output = await client().send('GetItem', { TableName: 't', Key: { id: { S: 'a' } } });
    assert.deepEqual(output, { Item: { id: { S: 'a' } }, Count: 1 });
    assert.equal(seen.length, 1);
  });

  test('sends a signed POST to / with the operation as x-amz-target and the input as JSON', async () => {
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
    assert.deepEqual(JSON.parse(request.body), input);
    const authorization = request.headers.authorization;
    assert.ok(authorization);
    assert.match(authorization, new RegExp(`^AWS4-HMAC-SHA256 Credential=AKIDLOCAL/\\d{8}/${REGION}/dynamodb/`));

    // The signature verifies: aws4 signing what the server received gives the same header.
    const amzDate = request.headers['x-amz-date'];
    const host = request.headers.host;
    assert.ok(typeof amzDate === 'string' && typeof host === 'string');
    assert.equal(host, new URL(endpoint).host);
    const signed = aws4.sign(
      {
        method: 'POST',
        host,
        path: '/',
        service: 'dynamodb',
        region: REGION,
        body: request.body,
        headers: {
          Host: host,
          'Content-Type': String(request.headers['content-type']),
          'X-Amz-Target': String(request.headers['x-amz-target']),
          'X-Amz-Date': amzDate,
        },
        extraHeadersToIgnore: { 'content-length': true },
      } as aws4.Request,
      CREDENTIALS,
    );
    assert.equal(authorization, signed.headers?.Authorization);
  });

  test('each operation name goes into x-amz-target', async () => {
    const operations = ['Query', 'UpdateItem', 'DeleteItem', 'BatchWriteItem'];
    replies = operations.map(() => json(200, {}));
    const c = client();
    for (const operation of operations) await c.send(operation, {});
    assert.deepEqual(
      seen.map((s) => s.headers['x-amz-target']),
      operations.map((operation) => `DynamoDB_20120810.${operation}`),
    );
  });

  test('a session token is sent as x-amz-security-token', async () => {
    replies = [json(200, {})];
    await createDynamoDbClient({
      region: REGION,
      endpoint,
      credentials: { ...CREDENTIALS, sessionToken: 'session-token' },
    }).send('GetItem', {});
    assert.equal(seen[0]?.headers['x-amz-security-token'], 'session-token');
    assert.match(String(seen[0]?.headers.authorization), /SignedHeaders=[^,]*x-amz-security-token/);
  });

  test('ConditionalCheckFailedException is thrown by name and not retried', async () => {
    replies = [awsError(400, 'ConditionalCheckFailedException', 'The conditional request failed')];
    await rejectsWith(
      client(4).send('PutItem', {}),
      'ConditionalCheckFailedException',
      400,
      'The conditional request failed',
    );
    assert.equal(seen.length, 1);
  });

  test('other client errors are not retried either', async () => {
    replies = [awsError(400, 'ValidationException', 'One or more parameter values were invalid')];
    await rejectsWith(client(4).send('Query', {}), 'ValidationException', 400);
    assert.equal(seen.length, 1);
  });

  test('ThrottlingException is retried up to maxAttempts, then thrown', async () => {
    replies = [
      awsError(400, 'ThrottlingException', 'slow down 1'),
      awsError(400, 'ThrottlingException', 'slow down 2'),
      awsError(400, 'ThrottlingException', 'slow down 3'),
      json(200, { never: 'reached' }),
    ];
    await rejectsWith(client(3).send('Query', {}), 'ThrottlingException', 400, 'slow down 3');
    assert.equal(seen.length, 3);
  });

  test('ProvisionedThroughputExceededException is retried', async () => {
    replies = [awsError(400, 'ProvisionedThroughputExceededException'), json(200, { ok: true })];
    assert.deepEqual(await client(3).send('Query', {}), { ok: true });
    assert.equal(seen.length, 2);
  });

  test('a 500 is retried up to maxAttempts, then thrown', async () => {
    replies = [
      awsError(500, 'InternalServerError', 'boom'),
      awsError(500, 'InternalServerError', 'boom'),
      json(200, { never: 'reached' }),
    ];
    await rejectsWith(client(2).send('PutItem', {}), 'InternalServerError', 500, 'boom');
    assert.equal(seen.length, 2);
  });

  test('success after one 500 returns the result', async () => {
    replies = [awsError(500, 'InternalServerError'), json(200, { Attributes: { id: { S: 'a' } } })];
    assert.deepEqual(await client(3).send('UpdateItem', {}), { Attributes: { id: { S: 'a' } } });
    assert.equal(seen.length, 2);
    // The retry sends the same request again.
    assert.equal(seen[0]?.body, seen[1]?.body);
    assert.equal(seen[0]?.headers['x-amz-target'], seen[1]?.headers['x-amz-target']);
  });

  test('maxAttempts 1 means no retry', async () => {
    replies = [awsError(500, 'InternalServerError'), json(200, {})];
    await rejectsWith(client(1).send('GetItem', {}), 'InternalServerError', 500);
    assert.equal(seen.length, 1);
  });

  test('a body that is not DynamoDB JSON becomes UnknownError with the HTTP status', async () => {
    replies = [{ status: 502, body: '<html>Bad Gateway</html>' }];
    await rejectsWith(client(1).send('GetItem', {}), 'UnknownError', 502, 'HTTP 502');
  });

  test('the Message spelling of the message is understood', async () => {
    replies = [json(400, { __type: 'com.amazon.coral.validate#ValidationException', Message: 'Bad key' })];
    await rejectsWith(client(1).send('GetItem', {}), 'ValidationException', 400, 'Bad key');
  });

  test('an attempt that takes too long is abandoned and retried', async () => {
    replies = [{ status: 200, body: '{"late":true}', delayMs: 500 }, json(200, { onTime: true })];
    const started = Date.now();
    assert.deepEqual(await client(2, 100).send('GetItem', {}), { onTime: true });
    assert.equal(seen.length, 2);
    assert.ok(Date.now() - started < 450, 'the slow attempt was waited for');
  });

  test('a connection error is retried and then thrown as it is', async () => {
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
    await assert.rejects(unreachable.send('GetItem', {}), (error: unknown) => {
      assert.ok(error instanceof Error);
      assert.equal(error instanceof DynamoDbError, false);
      assert.match(String((error as NodeJS.ErrnoException).code), /ECONNREFUSED/);
      return true;
    });
  });
});
