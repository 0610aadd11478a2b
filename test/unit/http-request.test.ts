import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { HttpError } from '../../src/http/problem.js';
import {
  baseUrl,
  MAX_BODY_BYTES,
  pathParameter,
  queryParameter,
  readJsonBody,
  refuseUnknownQueryParameters,
} from '../../src/http/request.js';
import { httpEvent } from '../support/events.js';

const isHttpError = (status: number, slug?: string) => (error: unknown) => {
  assert.ok(error instanceof HttpError, `expected an HttpError, got ${String(error)}`);
  assert.equal(error.status, status);
  if (slug !== undefined) assert.equal(error.slug, slug);
  return true;
};

const post = (body: string | undefined, contentType: string | undefined, isBase64Encoded = false) => {
  const event = httpEvent({ routeKey: 'POST /todos', isBase64Encoded });
  if (body !== undefined) event.body = body;
  if (contentType === undefined) delete event.headers['content-type'];
  else event.headers['content-type'] = contentType;
  return event;
};

/** A JSON document of exactly `bytes` bytes. */
function jsonOfSize(bytes: number): string {
  const frame = '{"title":""}';
  const text = `{"title":"${'a'.repeat(bytes - frame.length)}"}`;
  assert.equal(Buffer.byteLength(text), bytes);
  return text;
}

describe('readJsonBody: UTF-8 only', () => {
  test('bytes that are not UTF-8 (sent base64-encoded) are a 400 that says so, not U+FFFD', () => {
    for (const bytes of [[0xe9], [0x80], [0xff, 0xfe], [0xed, 0xa0, 0x80], [0xc0, 0xaf]]) {
      const body = Buffer.concat([Buffer.from('{"title":"a'), Buffer.from(bytes), Buffer.from('"}')]);
      assert.throws(
        () => readJsonBody(post(body.toString('base64'), 'application/json', true)),
        (error: unknown) => {
          assert.ok(error instanceof HttpError && error.status === 400 && /not valid UTF-8/.test(error.message));
          return true;
        },
        JSON.stringify(bytes),
      );
    }
  });

  test('UTF-8 beyond ASCII is read as sent, base64-encoded or not; a byte order mark is skipped', () => {
    const text = '{"title":"café ☕ 𝄞"}';
    assert.deepEqual(readJsonBody(post(Buffer.from(text).toString('base64'), 'application/json', true)), {
      title: 'café ☕ 𝄞',
    });
    assert.deepEqual(readJsonBody(post(text, 'application/json')), { title: 'café ☕ 𝄞' });
    assert.deepEqual(readJsonBody(post(`\uFEFF${text}`, 'application/json')), { title: 'café ☕ 𝄞' });
  });
});

describe('readJsonBody', () => {
  test('parses a JSON body', () => {
    assert.deepEqual(readJsonBody(post('{"title":"a","n":[1,2]}', 'application/json')), { title: 'a', n: [1, 2] });
    assert.equal(readJsonBody(post('"text"', 'application/json')), 'text');
    assert.equal(readJsonBody(post('null', 'application/json')), null);
  });

  test('accepts JSON media types with parameters, in any case', () => {
    for (const type of [
      'application/json; charset=utf-8',
      'application/json;charset=UTF-8',
      'Application/JSON',
      'application/merge-patch+json',
      'application/vnd.api+json',
      '  application/json  ',
    ]) {
      assert.deepEqual(readJsonBody(post('{"a":1}', type)), { a: 1 }, type);
    }
  });

  test('takes exactly the media types that /^application/(?:[w.+-]++)?json$/i takes, whatever a character folds to', () => {
    const reference = /^application\/(?:[\w.+-]+\+)?json$/i;
    // Every character of the Latin blocks, and those whose lower or upper case is ASCII (Kelvin sign, long s, dotted I).
    const characters = [...Array(0x250).keys(), 0x212a, 0x17f, 0x130, 0x131, 0x1e9e].map((c) => String.fromCharCode(c));
    let accepted = 0;
    for (const c of characters) {
      for (const type of [
        `application/x${c}+json`,
        `application/${c}son`,
        `applicatio${c}/json`,
        `APPLICATION/VND.${c}+JSON`,
      ]) {
        const takes = (() => {
          try {
            readJsonBody(post('{}', type));
            return true;
          } catch {
            return false;
          }
        })();
        assert.equal(takes, reference.test(type.split(';')[0]?.trim() ?? ''), JSON.stringify(type));
        if (takes) accepted++;
      }
    }
    assert.ok(accepted > 100, `${accepted} accepted`);
  });

  test('refuses a missing or non-JSON content type with 415', () => {
    for (const type of [
      undefined,
      '',
      'text/plain',
      'text/plain; charset=utf-8',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/jsonp',
      'application/json-seq',
      'text/json',
      'application/xml',
      'json',
    ]) {
      assert.throws(() => readJsonBody(post('{"a":1}', type)), isHttpError(415, 'unsupported-media-type'), type);
    }
  });

  test('415 comes before 413 and 400', () => {
    assert.throws(() => readJsonBody(post('x'.repeat(MAX_BODY_BYTES + 1), 'text/plain')), isHttpError(415));
    assert.throws(() => readJsonBody(post('not json', 'text/plain')), isHttpError(415));
  });

  test('accepts exactly 16 KiB and refuses one byte more with 413', () => {
    assert.equal(MAX_BODY_BYTES, 16 * 1024);
    const max = jsonOfSize(16 * 1024);
    assert.deepEqual(readJsonBody(post(max, 'application/json')), JSON.parse(max));
    assert.throws(
      () => readJsonBody(post(jsonOfSize(16 * 1024 + 1), 'application/json')),
      isHttpError(413, 'payload-too-large'),
    );
  });

  test('counts bytes, not characters', () => {
    // 6000 three-byte characters: 6002 characters of text but 18012 bytes.
    const text = `"${'€'.repeat(6000)}"`;
    assert.ok(text.length < MAX_BODY_BYTES && Buffer.byteLength(text) > MAX_BODY_BYTES);
    assert.throws(() => readJsonBody(post(text, 'application/json')), isHttpError(413));
  });

  test('413 comes before 400 for an oversized body that is not JSON', () => {
    assert.throws(() => readJsonBody(post('{'.repeat(MAX_BODY_BYTES + 1), 'application/json')), isHttpError(413));
  });

  test('refuses invalid JSON with 400', () => {
    for (const body of ['{', '{"a":}', "{'a':1}", 'undefined', '{"a":1}x', '']) {
      assert.throws(() => readJsonBody(post(body, 'application/json')), isHttpError(400, 'invalid-json'), body);
    }
    assert.throws(() => readJsonBody(post(undefined, 'application/json')), isHttpError(400, 'invalid-json'));
  });

  test('decodes base64-encoded bodies', () => {
    const body = JSON.stringify({ title: 'ünï 😀' });
    const event = post(Buffer.from(body).toString('base64'), 'application/json', true);
    assert.deepEqual(readJsonBody(event), { title: 'ünï 😀' });
  });

  test('the size limit applies to the decoded base64 body', () => {
    const max = jsonOfSize(MAX_BODY_BYTES);
    // The encoded text is a third larger than the limit, the body itself fits.
    assert.deepEqual(
      readJsonBody(post(Buffer.from(max).toString('base64'), 'application/json', true)),
      JSON.parse(max),
    );
    const over = Buffer.from(jsonOfSize(MAX_BODY_BYTES + 1)).toString('base64');
    assert.throws(() => readJsonBody(post(over, 'application/json', true)), isHttpError(413));
  });
});

describe('queryParameter', () => {
  const get = (query: string) => httpEvent({ routeKey: 'GET /todos', query });

  test('returns the decoded value, or undefined when absent', () => {
    assert.equal(queryParameter(get('limit=5&cursor=a%2Bb'), 'limit'), '5');
    assert.equal(queryParameter(get('limit=5&cursor=a%2Bb'), 'cursor'), 'a+b');
    assert.equal(queryParameter(get('limit=5'), 'cursor'), undefined);
    assert.equal(queryParameter(get(''), 'limit'), undefined);
    assert.equal(queryParameter(get('limit='), 'limit'), '');
  });

  test('a repeated parameter is a 400', () => {
    assert.throws(() => queryParameter(get('limit=1&limit=2'), 'limit'), isHttpError(400, 'invalid-query'));
    assert.throws(() => queryParameter(get('limit=1&limit=1'), 'limit'), isHttpError(400, 'invalid-query'));
    // Repeating another parameter does not matter.
    assert.equal(queryParameter(get('x=1&x=2&limit=3'), 'limit'), '3');
  });

  test('reads rawQueryString, not the comma-joined queryStringParameters', () => {
    const event = get('limit=1&limit=2');
    event.queryStringParameters = { limit: '1,2' };
    assert.throws(() => queryParameter(event, 'limit'), isHttpError(400));
  });
});

describe('refuseUnknownQueryParameters', () => {
  const get = (query: string) => httpEvent({ routeKey: 'GET /todos', query });

  test('passes the parameters a route takes, and no query at all', () => {
    refuseUnknownQueryParameters(get('limit=5&cursor=c&completed=true'), ['limit', 'cursor', 'completed']);
    refuseUnknownQueryParameters(get(''), []);
    refuseUnknownQueryParameters(get('&'), []);
  });

  test('refuses any other with a 400 that names it and says what the route takes', () => {
    for (const [query, known, name] of [
      ['complete=true', ['limit', 'completed'], 'complete'],
      ['limit=1&foo=2', ['limit'], 'foo'],
      ['x', [], 'x'],
      ['=1', ['limit'], ''],
    ] as const) {
      assert.throws(
        () => refuseUnknownQueryParameters(get(query), known),
        (error: unknown) => {
          assert.ok(isHttpError(400, 'invalid-query')(error));
          assert.ok(
            error instanceof Error && error.message.includes(`Unknown query parameter ${JSON.stringify(name)}`),
          );
          assert.ok(
            error.message.includes(known.length ? `takes ${known.join(', ')}` : 'takes no query parameters'),
            error.message,
          );
          return true;
        },
        query,
      );
    }
  });
});

describe('pathParameter', () => {
  test('returns a declared parameter and throws (a fault) for a missing one', () => {
    const event = httpEvent({ routeKey: 'GET /todos/{id}', pathParameters: { id: 'abc' } });
    assert.equal(pathParameter(event, 'id'), 'abc');
    assert.throws(
      () => pathParameter(event, 'other'),
      (error: unknown) => error instanceof Error && !(error instanceof HttpError),
    );
  });
});

describe('baseUrl', () => {
  const withHeaders = (headers: Record<string, string | undefined>) => {
    const event = httpEvent({ routeKey: 'GET /todos' });
    for (const [name, value] of Object.entries(headers)) {
      if (value === undefined) delete event.headers[name];
      else event.headers[name] = value;
    }
    event.requestContext.domainName = 'abc123.execute-api.eu-west-1.amazonaws.com';
    return event;
  };

  test('the configured public base URL wins', () => {
    const event = withHeaders({ host: 'evil.example', 'x-forwarded-proto': 'http' });
    assert.equal(baseUrl(event, 'https://todo.example.com/api'), 'https://todo.example.com/api');
  });

  test('an empty public base URL falls back to the request', () => {
    assert.equal(baseUrl(withHeaders({ host: 'api.example.test' }), ''), 'https://api.example.test');
  });

  test('uses x-forwarded-proto http or https, and https otherwise', () => {
    assert.equal(baseUrl(withHeaders({ host: 'a.test', 'x-forwarded-proto': 'http' }), undefined), 'http://a.test');
    assert.equal(baseUrl(withHeaders({ host: 'a.test', 'x-forwarded-proto': 'https' }), undefined), 'https://a.test');
    assert.equal(baseUrl(withHeaders({ host: 'a.test', 'x-forwarded-proto': undefined }), undefined), 'https://a.test');
    assert.equal(
      baseUrl(withHeaders({ host: 'a.test', 'x-forwarded-proto': 'javascript' }), undefined),
      'https://a.test',
    );
  });

  test('echoes a plain host, with a port or as an IP literal', () => {
    for (const host of ['localhost:3000', 'api.example.test', '127.0.0.1:8080', '[::1]:3000', 'my-api.example.com']) {
      assert.equal(baseUrl(withHeaders({ host, 'x-forwarded-proto': 'http' }), undefined), `http://${host}`);
    }
  });

  test('does not echo a Host with spaces, slashes, CRLF or other junk', () => {
    for (const host of [
      'evil.example /x',
      'evil.example/path',
      'evil.example\\x',
      'evil.example\r\nSet-Cookie: a=b',
      'evil.example\n',
      'user@evil.example',
      'evil.example:80:80',
      'evil.example?x=1',
      'evil.example#x',
      '"quoted"',
      '<script>',
      '',
    ]) {
      assert.equal(
        baseUrl(withHeaders({ host, 'x-forwarded-proto': 'https' }), undefined),
        'https://abc123.execute-api.eu-west-1.amazonaws.com',
        JSON.stringify(host),
      );
    }
  });

  test('falls back to the domain name without a Host header', () => {
    assert.equal(
      baseUrl(withHeaders({ host: undefined }), undefined),
      'https://abc123.execute-api.eu-west-1.amazonaws.com',
    );
  });
});
