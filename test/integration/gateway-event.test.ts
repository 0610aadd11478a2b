/**
 * buildEvent on real requests: a loopback server turns raw HTTP bytes into events, so what Node's parser and the
 * socket give the gateway (raw header order and case, repeated Cookie lines, the peer address, the local port) is
 * read as the unit tests assume. (Here because it opens sockets; test/unit/gateway.test.ts has the rules.)
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { after, before, describe, test } from 'node:test';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { buildEvent } from '../../local/event.js';

describe('buildEvent on a real request', () => {
  let server: Server;
  let port: number;
  let onEvent: ((event: APIGatewayProxyEventV2) => void) | undefined;

  before(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        const url = req.url ?? '/';
        const queryAt = url.indexOf('?');
        const event = buildEvent(req, {
          requestId: 'rid-1',
          receivedAt: new Date(),
          routeKey: 'POST /todos',
          rawPath: queryAt === -1 ? url : url.slice(0, queryAt),
          rawQueryString: queryAt === -1 ? '' : url.slice(queryAt + 1),
          pathParameters: {},
          body: Buffer.concat(chunks),
        });
        onEvent?.(event);
        res.writeHead(204, { connection: 'close' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  /** Sends raw request bytes and returns the event built from them. */
  async function eventFor(head: string, body = ''): Promise<APIGatewayProxyEventV2> {
    const built = new Promise<APIGatewayProxyEventV2>((resolve) => {
      onEvent = resolve;
    });
    const socket = connect(port, '127.0.0.1');
    socket.on('data', () => undefined);
    const lines = head.trim().split('\n');
    if (body.length > 0) lines.push(`Content-Length: ${Buffer.byteLength(body)}`);
    socket.write(`${lines.join('\r\n')}\r\nConnection: close\r\n\r\n`);
    socket.end(body);
    const event = await built;
    await new Promise<void>((resolve) => socket.on('close', () => resolve()));
    return event;
  }

  test('headers as sent (repeated ones joined), cookies from every Cookie line, the query and the body', async () => {
    const event = await eventFor(
      `POST /todos?limit=1&limit=2 HTTP/1.1
Host: localhost:3000
X-Custom-Header: one
x-custom-header: two
Cookie: a=1; b=2
Cookie: c=3
User-Agent: test-agent/1.0
Content-Type: application/json`,
      '{"title":"ü"}',
    );
    assert.equal(event.headers['x-custom-header'], 'one,two');
    assert.deepEqual(event.cookies, ['a=1', 'b=2', 'c=3']);
    assert.equal(Object.hasOwn(event.headers, 'cookie'), false);
    assert.deepEqual(event.queryStringParameters, { limit: '1,2' });
    assert.equal(event.body, '{"title":"ü"}');
    assert.deepEqual(event.requestContext.http, {
      method: 'POST',
      path: '/todos',
      protocol: 'HTTP/1.1',
      sourceIp: '127.0.0.1',
      userAgent: 'test-agent/1.0',
    });
  });

  test("the source address is the peer's, the port and the domain name the server's own, whatever the Host", async () => {
    for (const head of ['GET /todos HTTP/1.0', 'GET /todos HTTP/1.1\nHost: api.example.com:8443']) {
      const event = await eventFor(head);
      assert.equal(event.requestContext.domainName, `localhost:${port}`, head);
      assert.equal(event.headers['x-forwarded-port'], String(port), head);
      assert.equal(event.headers['x-forwarded-for'], '127.0.0.1', head);
      assert.equal(event.requestContext.http.sourceIp, '127.0.0.1', head);
    }
    assert.equal((await eventFor('GET /todos HTTP/1.0')).requestContext.http.protocol, 'HTTP/1.0');
  });
});
