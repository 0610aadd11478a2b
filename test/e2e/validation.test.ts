/**
 * Every rejected write: the right status and problem document, and nothing
 * changed in the store (the list, or the todo, is the same before and after).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  assertFieldError,
  assertProblem,
  call,
  createTodo,
  getTodo,
  listTodos,
  type Reply,
  rawCall,
  type Todo,
  useLocalSystem,
} from './support.js';

let base: string;
/** A todo that the rejected PATCHes must leave alone. */
let target: Todo;

useLocalSystem('none', async (started) => {
  base = started.url;
  target = await createTodo(base, { title: 'the target', completed: false, order: 5 });
});

/** Sends a write that must be refused, and checks that the list did not change. */
async function refusedCreate(send: () => Promise<Reply>, status: number): Promise<Reply> {
  const before = await listTodos(base);
  const reply = await send();
  assertProblem(reply, status);
  assert.deepEqual(await listTodos(base), before, 'a refused create changes nothing');
  return reply;
}

/** Sends a PATCH that must be refused, and checks that the target todo (and the list) did not change. */
async function refusedPatch(send: () => Promise<Reply>, status: number): Promise<Reply> {
  const listBefore = await listTodos(base);
  const todoBefore = await getTodo(base, target.url);
  const reply = await send();
  assertProblem(reply, status);
  assert.deepEqual(await getTodo(base, target.url), todoBefore, 'a refused patch changes nothing');
  assert.deepEqual(await listTodos(base), listBefore);
  return reply;
}

const raw = (path: string, method: string, text: string) => () =>
  call(base, method, path, { body: text, headers: { 'content-type': 'application/json' } });

const INVALID_JSON = ['', '{', '{"title": "x",}', "{'title': 'x'}", 'undefined', '{"title": "x"} trailing', 'tru'];
const NOT_OBJECTS = ['null', '[]', '[{"title":"x"}]', '"a string"', '42', 'true'];

interface FieldCase {
  name: string;
  body: string;
  field: string;
}

/** Bodies with one bad field, as text so that `__proto__` can be sent as a key. */
const CREATE_FIELD_CASES: FieldCase[] = [
  { name: 'missing title', body: '{}', field: 'title' },
  { name: 'missing title, other fields present', body: '{"completed":true,"order":1}', field: 'title' },
  { name: 'empty title', body: '{"title":""}', field: 'title' },
  { name: 'blank title', body: '{"title":"   \\t\\n "}', field: 'title' },
  { name: 'null title', body: '{"title":null}', field: 'title' },
  { name: 'number title', body: '{"title":42}', field: 'title' },
  { name: 'boolean title', body: '{"title":true}', field: 'title' },
  { name: 'array title', body: '{"title":["x"]}', field: 'title' },
  { name: 'object title', body: '{"title":{"text":"x"}}', field: 'title' },
  { name: 'title of 1001 characters', body: JSON.stringify({ title: 'a'.repeat(1001) }), field: 'title' },
  {
    name: 'title of 1001 characters inside spaces',
    body: JSON.stringify({ title: ` ${'b'.repeat(1001)} ` }),
    field: 'title',
  },
  { name: 'completed as a string', body: '{"title":"x","completed":"true"}', field: 'completed' },
  { name: 'completed as a number', body: '{"title":"x","completed":1}', field: 'completed' },
  { name: 'completed null', body: '{"title":"x","completed":null}', field: 'completed' },
  { name: 'order as a fraction', body: '{"title":"x","order":1.5}', field: 'order' },
  { name: 'order as a string', body: '{"title":"x","order":"1"}', field: 'order' },
  { name: 'order true', body: '{"title":"x","order":true}', field: 'order' },
  { name: 'order too large to be exact', body: '{"title":"x","order":1e300}', field: 'order' },
  { name: 'unknown field', body: '{"title":"x","priority":"high"}', field: 'priority' },
  { name: 'the tutorial field on /todos', body: '{"todo":"x"}', field: 'todo' },
  { name: 'server-owned id', body: '{"title":"x","id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}', field: 'id' },
  { name: 'server-owned owner', body: '{"title":"x","owner":"someone-else"}', field: 'owner' },
  { name: 'server-owned createdAt', body: '{"title":"x","createdAt":"2020-01-01T00:00:00.000Z"}', field: 'createdAt' },
  { name: 'server-owned updatedAt', body: '{"title":"x","updatedAt":"2020-01-01T00:00:00.000Z"}', field: 'updatedAt' },
  { name: 'server-owned url', body: '{"title":"x","url":"http://evil.example/todos/1"}', field: 'url' },
  { name: '__proto__', body: '{"title":"x","__proto__":{"completed":true}}', field: '__proto__' },
  { name: 'constructor', body: '{"title":"x","constructor":{"name":"y"}}', field: 'constructor' },
];

describe('POST /todos refuses bad bodies with 400 and creates nothing', () => {
  for (const text of INVALID_JSON) {
    it(`invalid JSON ${JSON.stringify(text)}`, async () => {
      await refusedCreate(raw('/todos', 'POST', text), 400);
    });
  }

  for (const text of NOT_OBJECTS) {
    it(`a body that is not an object: ${text}`, async () => {
      await refusedCreate(raw('/todos', 'POST', text), 400);
    });
  }

  for (const { name, body, field } of CREATE_FIELD_CASES) {
    it(`${name} → a field error for ${field}`, async () => {
      const reply = await refusedCreate(raw('/todos', 'POST', body), 400);
      assertFieldError(assertProblem(reply, 400), field);
    });
  }

  it('reports every bad field, not only the first', async () => {
    const reply = await refusedCreate(raw('/todos', 'POST', '{"title":7,"completed":"no","order":0.5,"x":1}'), 400);
    const problem = assertProblem(reply, 400);
    for (const field of ['title', 'completed', 'order', 'x']) assertFieldError(problem, field);
  });
});

describe('title length', () => {
  it('accepts exactly 1000 characters, also with spaces around them', async () => {
    const exact = await createTodo(base, { title: 'c'.repeat(1000) });
    assert.equal(exact.title.length, 1000);
    const padded = await createTodo(base, { title: `   ${'d'.repeat(1000)}\t ` });
    assert.equal(padded.title, 'd'.repeat(1000));
    const patched = await call(base, 'PATCH', exact.url, { json: { title: ` ${'e'.repeat(1000)} ` } });
    assert.equal(patched.status, 200, patched.text);
    assert.equal((await getTodo(base, exact.url)).title, 'e'.repeat(1000));
  });
});

describe('POST / (tutorial route) refuses bad bodies with 400 and creates nothing', () => {
  const cases: FieldCase[] = [
    { name: 'blank todo', body: '{"todo":"  "}', field: 'todo' },
    { name: 'non-string todo', body: '{"todo":5}', field: 'todo' },
    { name: 'both todo and title', body: '{"todo":"a","title":"b"}', field: 'todo' },
    { name: 'missing title', body: '{"completed":false}', field: 'title' },
    { name: 'unknown field', body: '{"todo":"a","extra":1}', field: 'extra' },
    { name: 'server-owned id', body: '{"todo":"a","id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}', field: 'id' },
  ];
  for (const { name, body, field } of cases) {
    it(`${name} → a field error for ${field}`, async () => {
      const reply = await refusedCreate(raw('/', 'POST', body), 400);
      assertFieldError(assertProblem(reply, 400), field);
    });
  }
  it('invalid JSON and non-objects', async () => {
    await refusedCreate(raw('/', 'POST', '{"todo":'), 400);
    await refusedCreate(raw('/', 'POST', '["todo"]'), 400);
  });
});

describe('bytes that are not UTF-8', () => {
  // {"title":"caf\xe9"}: Latin-1, as a misconfigured client sends it; and a lone continuation byte.
  const latin1 = Buffer.concat([Buffer.from('{"title":"caf'), Buffer.from([0xe9]), Buffer.from('"}')]);
  const stray = Buffer.concat([Buffer.from('{"title":"a'), Buffer.from([0x80]), Buffer.from('b"}')]);
  const json = { 'content-type': 'application/json' };

  it('POST /todos and POST / → 400 that says so, and nothing stored (no U+FFFD in place of them)', async () => {
    for (const [path, body] of [
      ['/todos', latin1],
      ['/todos', stray],
      ['/', latin1],
    ] as const) {
      const reply = await refusedCreate(() => rawCall(base, 'POST', path, body, json), 400);
      assert.match(reply.text, /not valid UTF-8/);
    }
  });

  it('PATCH → 400, and the todo is unchanged', async () => {
    const body = Buffer.concat([Buffer.from('{"title":"x'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]);
    const reply = await refusedPatch(() => rawCall(base, 'PATCH', target.url, body, json), 400);
    assert.match(reply.text, /not valid UTF-8/);
  });

  it('valid UTF-8 beyond ASCII is stored as sent', async () => {
    const created = await createTodo(base, { title: 'café ☕ 𝄞' });
    assert.equal(created.title, 'café ☕ 𝄞');
  });
});

describe('PATCH /todos/{id} refuses bad bodies with 400 and changes nothing', () => {
  for (const text of INVALID_JSON) {
    it(`invalid JSON ${JSON.stringify(text)}`, async () => {
      await refusedPatch(() => raw(target.url, 'PATCH', text)(), 400);
    });
  }

  for (const text of NOT_OBJECTS) {
    it(`a body that is not an object: ${text}`, async () => {
      await refusedPatch(() => raw(target.url, 'PATCH', text)(), 400);
    });
  }

  it('an empty patch {}', async () => {
    await refusedPatch(() => raw(target.url, 'PATCH', '{}')(), 400);
  });

  const patchCases = CREATE_FIELD_CASES.filter((c) => !c.name.startsWith('missing title') && c.body !== '{}');
  for (const { name, body, field } of patchCases) {
    it(`${name} → a field error for ${field}`, async () => {
      const reply = await refusedPatch(() => raw(target.url, 'PATCH', body)(), 400);
      assertFieldError(assertProblem(reply, 400), field);
    });
  }

  it('a server-owned field alone', async () => {
    for (const body of ['{"id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"}', '{"createdAt":"2020-01-01T00:00:00.000Z"}']) {
      await refusedPatch(() => raw(target.url, 'PATCH', body)(), 400);
    }
  });
});

/** A JSON body of exactly `bytes` bytes that is otherwise a valid todo. */
function paddedBody(bytes: number, input: Record<string, unknown>): string {
  const json = JSON.stringify(input);
  const body = `${json.slice(0, -1)}${' '.repeat(bytes - json.length)}}`;
  assert.equal(Buffer.byteLength(body), bytes);
  return body;
}

describe('body size', () => {
  it('accepts a body of exactly 16 KiB', async () => {
    const reply = await call(base, 'POST', '/todos', {
      body: paddedBody(16 * 1024, { title: 'exactly 16 KiB' }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(reply.status, 201, reply.text);
  });

  it('refuses a valid create of 16 KiB + 1 byte with 413', async () => {
    await refusedCreate(raw('/todos', 'POST', paddedBody(16 * 1024 + 1, { title: 'too big' })), 413);
    await refusedCreate(raw('/', 'POST', paddedBody(16 * 1024 + 1, { todo: 'too big' })), 413);
  });

  it('counts bytes, not characters', async () => {
    // 6000 three-byte characters: 6000 characters of title but about 18 KB of body.
    await refusedCreate(raw('/todos', 'POST', JSON.stringify({ title: '€'.repeat(6000) })), 413);
  });

  it('refuses a large create with 413', async () => {
    await refusedCreate(raw('/todos', 'POST', JSON.stringify({ title: 'x'.repeat(100_000) })), 413);
  });

  it('refuses a valid patch of 16 KiB + 1 byte with 413', async () => {
    await refusedPatch(() => raw(target.url, 'PATCH', paddedBody(16 * 1024 + 1, { completed: true }))(), 413);
  });

  it('refuses a body larger than the gateway takes (10 MiB) with 413, creating nothing', async () => {
    const before = await listTodos(base);
    const reply = await call(base, 'POST', '/todos', {
      body: JSON.stringify({ title: 'y'.repeat(10 * 1024 * 1024 + 10) }),
      headers: { 'content-type': 'application/json' },
    });
    assert.equal(reply.status, 413, reply.text);
    assert.ok(reply.headers.get('apigw-requestid'));
    assert.deepEqual(await listTodos(base), before);
  });
});

describe('content type', () => {
  const validCreate = JSON.stringify({ title: 'looks fine' });
  const validPatch = JSON.stringify({ completed: true });
  const notJson = [
    'text/plain',
    'text/plain; charset=utf-8',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/xml',
    'application/octet-stream',
    'application/jsonp',
  ];

  for (const contentType of notJson) {
    it(`POST /todos and POST / with Content-Type ${contentType} → 415`, async () => {
      await refusedCreate(
        () => call(base, 'POST', '/todos', { body: validCreate, headers: { 'content-type': contentType } }),
        415,
      );
      await refusedCreate(
        () => call(base, 'POST', '/', { body: validCreate, headers: { 'content-type': contentType } }),
        415,
      );
    });

    it(`PATCH with Content-Type ${contentType} → 415`, async () => {
      await refusedPatch(
        () => call(base, 'PATCH', target.url, { body: validPatch, headers: { 'content-type': contentType } }),
        415,
      );
    });
  }

  it('POST and PATCH without any Content-Type → 415', async () => {
    await refusedCreate(() => rawCall(base, 'POST', '/todos', validCreate), 415);
    await refusedCreate(() => rawCall(base, 'POST', '/', validCreate), 415);
    await refusedPatch(() => rawCall(base, 'PATCH', target.url, validPatch), 415);
  });

  it('POST without Content-Type and without a body → 415', async () => {
    await refusedCreate(() => rawCall(base, 'POST', '/todos', undefined), 415);
  });
});
