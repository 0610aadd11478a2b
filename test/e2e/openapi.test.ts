/** The API describes itself: its index, its OpenAPI document and its reference page, served like any route. */
import assert from 'node:assert/strict';
import { get, type IncomingHttpHeaders } from 'node:http';
import { describe, it } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { call, isRecord, jsonBody, rawCall, useLocalSystem } from './support.js';

let base: string;

/** The bytes of an answer as sent, asking for gzip (fetch would unzip them); it must come gzipped. */
function gzippedGet(path: string): Promise<{ body: Buffer; headers: IncomingHttpHeaders }> {
  return new Promise((resolve, reject) => {
    get(new URL(path, base), { headers: { 'accept-encoding': 'gzip, br' } }, (res) => {
      assert.equal(res.headers['content-encoding'], 'gzip', path);
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ body: Buffer.concat(chunks), headers: res.headers }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

useLocalSystem('none', async (started) => {
  base = started.url;
});

describe('GET /', () => {
  it('points to the docs, the document and the todos: JSON for clients, a page for browsers', async () => {
    for (const accept of [undefined, '*/*', 'application/json', 'application/json, text/html']) {
      const reply = await call(base, 'GET', '/', accept ? { headers: { accept } } : {});
      assert.equal(reply.status, 200, String(accept));
      assert.deepEqual(jsonBody(reply), {
        name: 'TODO API',
        docs: `${base}/docs`,
        openapi: `${base}/openapi.json`,
        todos: `${base}/todos`,
      });
      assert.equal(reply.headers.get('vary'), 'Accept');
    }
    const page = await call(base, 'GET', '/', { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    // The web page (TodoMVC), never cached, with a link to the reference.
    assert.ok(page.text.includes('<section class="todoapp"'), page.text);
    assert.ok(page.text.includes('href="docs"'), page.text);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    assert.equal(page.headers.get('vary'), 'Accept');
    // Weights count, not order: a client that refuses HTML gets JSON.
    const refused = await call(base, 'GET', '/', { headers: { accept: 'text/html;q=0, application/json' } });
    assert.match(refused.headers.get('content-type') ?? '', /^application\/json/);
  });

  it("POST / is still the tutorial's create", async () => {
    const created = await call(base, 'POST', '/', { json: { todo: 'from the root' } });
    assert.equal(created.status, 201, created.text);
  });
});

describe("the web page's files and settings", () => {
  it('GET /app/{asset}: the files the page names, gzipped when taken, cached for a year; others are 404', async () => {
    const page = await call(base, 'GET', '/', { headers: { accept: 'text/html' } });
    const names = [...page.text.matchAll(/(?:src|href)="app\/([^"]+)"/g)].map((match) => match[1] ?? '');
    assert.equal(names.length, 2, page.text);
    for (const name of names) {
      const plain = await rawCall(base, 'GET', `/app/${name}`, undefined);
      assert.equal(plain.status, 200, name);
      assert.equal(plain.headers.get('content-encoding'), null);
      assert.equal(plain.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.match(plain.headers.get('content-type') ?? '', name.endsWith('.js') ? /^text\/javascript/ : /^text\/css/);
      const zipped = await gzippedGet(`/app/${name}`);
      assert.equal(zipped.headers.vary, 'Accept-Encoding');
      assert.equal(gunzipSync(zipped.body).toString('utf8'), plain.text);
      assert.ok(zipped.body.length < plain.text.length / 2, `${name}: ${zipped.body.length} of ${plain.text.length}`);
    }
    for (const name of ['app.js', 'app.AAAAAAAAAAAA.js', '..%2Fpackage.json', 'toString', '__proto__']) {
      const missing = await call(base, 'GET', `/app/${name}`);
      assert.equal(missing.status, 404, name);
    }
  });

  it('GET /config.json: no sign-in with auth=none', async () => {
    const reply = await call(base, 'GET', '/config.json');
    assert.equal(reply.status, 200);
    assert.deepEqual(jsonBody(reply), { auth: 'none' });
    assert.equal(reply.headers.get('cache-control'), 'no-cache');
  });
});

describe('GET /openapi.json', () => {
  it('is the OpenAPI 3.1 document with this server as its URL, public and cacheable', async () => {
    const reply = await call(base, 'GET', '/openapi.json');
    assert.equal(reply.status, 200);
    assert.equal(reply.headers.get('cache-control'), 'public, max-age=300');
    assert.equal(reply.headers.get('vary'), 'Host');
    const document = jsonBody(reply);
    assert.ok(isRecord(document));
    assert.equal(document.openapi, '3.1.0');
    assert.deepEqual(document.servers, [{ url: base }]);
    // This system runs AUTH_MODE=none: the document asks for no token.
    assert.ok(isRecord(document.components));
    assert.equal(Object.hasOwn(document.components, 'securitySchemes'), false);
    assert.ok(isRecord(document.paths) && isRecord(document.paths['/todos/{id}']));
  });

  it('names the server the client reached it at (another Host, another URL)', async () => {
    const url = new URL(base);
    const reply = await rawCall(base, 'GET', '/openapi.json', undefined, { host: `127.0.0.1:${url.port}` });
    assert.deepEqual((JSON.parse(reply.text) as { servers: unknown }).servers, [
      { url: `http://127.0.0.1:${url.port}` },
    ]);
  });
});

describe('GET /docs', () => {
  it('is a page that loads only its own scripts and styles, which are cached for a year', async () => {
    const page = await call(base, 'GET', '/docs');
    assert.equal(page.status, 200);
    assert.match(page.headers.get('content-type') ?? '', /^text\/html/);
    assert.equal(page.headers.get('cache-control'), 'no-cache');
    const policy = page.headers.get('content-security-policy') ?? '';
    assert.match(policy, /script-src 'self';/);
    // "Try it out" calls the API at its own URL (another origin when PUBLIC_BASE_URL names one).
    assert.ok(policy.includes(`connect-src 'self' ${new URL(base).origin};`), policy);
    const files = [...page.text.matchAll(/(?:src|href)="(docs\/[^"]+)"/g)].map((m) => m[1] ?? '');
    assert.equal(files.length, 3, page.text);
    assert.doesNotMatch(page.text, /<script>/, 'no inline script');
    for (const file of files) {
      const asset = await call(base, 'GET', `/${file}`);
      assert.equal(asset.status, 200, file);
      assert.match(asset.headers.get('content-type') ?? '', /^text\/(javascript|css)/);
      assert.equal(asset.headers.get('cache-control'), 'public, max-age=31536000, immutable');
      assert.ok(asset.text.length > 0);
    }
    const script = files.find((f) => f.includes('swagger-ui-bundle')) ?? '';
    const code = (await call(base, 'GET', `/${script}`)).text;
    assert.doesNotMatch(code.slice(-200), /sourceMappingURL/);

    // The viewer's licences (Apache-2.0) are served next to it, under the names its first comment gives.
    const named = /^\/\*! For license information please see (.+) \(next to this file\) \*\//.exec(code)?.[1];
    assert.ok(named, code.slice(0, 200));
    const licenses = named.split(', ');
    assert.equal(licenses.length, 3);
    for (const license of licenses) {
      const text = await call(base, 'GET', `/docs/${license}`);
      assert.equal(text.status, 200, license);
      assert.match(text.headers.get('content-type') ?? '', /^text\/plain/);
    }
    const all = (await Promise.all(licenses.map((l) => call(base, 'GET', `/docs/${l}`)))).map((r) => r.text);
    assert.ok(all.some((text) => text.includes('Apache License')));
  });

  it('sends its files gzipped to a browser that takes gzip', async () => {
    const page = await call(base, 'GET', '/docs');
    const script = /src="(docs\/swagger-ui-bundle[^"]+)"/.exec(page.text)?.[1] ?? '';
    const plain = await rawCall(base, 'GET', `/${script}`, undefined);
    const { body: gzipped } = await gzippedGet(`/${script}`);
    assert.ok(gzipped.length < plain.text.length / 2, `${gzipped.length} bytes gzipped, ${plain.text.length} plain`);
    assert.equal(gunzipSync(gzipped).toString('utf8'), plain.text);

    // gzip;q=0 refuses gzip (RFC 9110): the file comes as it is.
    const refused = await rawCall(base, 'GET', `/${script}`, undefined, { 'accept-encoding': 'gzip;q=0, identity' });
    assert.equal(refused.headers.get('content-encoding'), null);
    assert.equal(refused.text, plain.text);
  });

  it('a file it does not have is a 404 problem', async () => {
    const reply = await call(base, 'GET', '/docs/swagger-ui-bundle.js');
    assert.equal(reply.status, 404);
    assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json/);
  });
});
