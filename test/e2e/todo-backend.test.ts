/**
 * The Todo-Backend specification (todobackend.com/specs), with /todos as the
 * API root. As its client does, every request on one todo goes to the `url`
 * the server gave it, never to a path built here.
 */
import assert from 'node:assert/strict';
import { beforeEach, describe, it } from 'node:test';
import { assertProblem, asTodo, asTodoList, call, jsonBody, type Reply, type Todo, useLocalSystem } from './support.js';

let root: string;
let base: string;

const ORIGIN = 'http://www.todobackend.com';

useLocalSystem('none', async (started) => {
  base = started.url;
  root = `${base}/todos`;
});

/** As a browser on another origin sends it: Origin, and JSON bodies. */
function send(method: string, url: string, body?: unknown): Promise<Reply> {
  return call(base, method, url, { headers: { origin: ORIGIN }, ...(body === undefined ? {} : { json: body }) });
}

async function postTodo(body: unknown): Promise<Todo> {
  const reply = await send('POST', root, body);
  assert.equal(reply.status, 201, reply.text);
  return asTodo(jsonBody(reply), base);
}

async function getRoot(): Promise<Todo[]> {
  return asTodoList(await send('GET', root), base);
}

async function fetchTodo(url: string): Promise<Todo> {
  const reply = await send('GET', url);
  assert.equal(reply.status, 200, reply.text);
  return asTodo(jsonBody(reply), base);
}

async function patchTodo(url: string, body: unknown): Promise<Todo> {
  const reply = await send('PATCH', url, body);
  assert.equal(reply.status, 200, reply.text);
  return asTodo(jsonBody(reply), base);
}

describe('the pre-requisites', () => {
  it('the api root responds to a GET, with CORS headers', async () => {
    const reply = await send('GET', root);
    assert.equal(reply.status, 200);
    assert.ok(reply.headers.get('access-control-allow-origin'));
  });

  it('the api root answers the browser preflight for a JSON POST and PATCH', async () => {
    for (const method of ['POST', 'PATCH', 'DELETE']) {
      const reply = await call(base, 'OPTIONS', root, {
        headers: {
          origin: ORIGIN,
          'access-control-request-method': method,
          'access-control-request-headers': 'content-type',
        },
      });
      assert.equal(reply.status, 204);
      assert.ok(reply.headers.get('access-control-allow-origin'));
      assert.match(reply.headers.get('access-control-allow-methods') ?? '', new RegExp(`\\b${method}\\b`, 'i'));
      assert.match(reply.headers.get('access-control-allow-headers') ?? '', /content-type/i);
    }
  });

  it('the api root responds to a POST with the todo which was posted to it', async () => {
    const todo = await postTodo({ title: 'a todo' });
    assert.equal(todo.title, 'a todo');
  });

  it('the api root responds successfully to a DELETE', async () => {
    const reply = await send('DELETE', root);
    assert.ok(reply.status >= 200 && reply.status < 300, `status ${reply.status}`);
  });

  it('after a DELETE the api root responds to a GET with a JSON representation of an empty array', async () => {
    await postTodo({ title: 'to be cleared' });
    assert.equal((await send('DELETE', root)).status, 204);
    const reply = await send('GET', root);
    assert.deepEqual(jsonBody(reply), []);
  });
});

describe('storing new todos by posting to the root url', () => {
  beforeEach(async () => {
    assert.equal((await send('DELETE', root)).status, 204);
  });

  it('adds a new todo to the list of todos at the root url', async () => {
    await postTodo({ title: 'walk the dog' });
    const todos = await getRoot();
    assert.equal(todos.length, 1);
    assert.equal(todos[0]?.title, 'walk the dog');
  });

  it('sets up a new todo as initially not completed', async () => {
    const todo = await postTodo({ title: 'blah' });
    assert.equal(todo.completed, false);
    assert.equal((await getRoot())[0]?.completed, false);
  });

  it('each new todo has a url', async () => {
    const todo = await postTodo({ title: 'blah' });
    assert.equal(typeof todo.url, 'string');
    assert.ok(URL.canParse(todo.url), `an absolute url, got ${todo.url}`);
  });

  it('each new todo has a url, which returns a todo', async () => {
    const todo = await postTodo({ title: 'my todo' });
    const fetched = await fetchTodo(todo.url);
    assert.equal(fetched.title, 'my todo');
    assert.deepEqual(fetched, todo);
  });
});

describe('working with an existing todo', () => {
  beforeEach(async () => {
    assert.equal((await send('DELETE', root)).status, 204);
  });

  it('can navigate from a list of todos to an individual todo via urls', async () => {
    await postTodo({ title: 'todo the first' });
    await postTodo({ title: 'todo the second' });
    const todos = await getRoot();
    assert.equal(todos.length, 2);
    const [first, second] = todos;
    assert.ok(first && second);
    assert.equal((await fetchTodo(first.url)).title, 'todo the first');
    assert.equal((await fetchTodo(second.url)).title, 'todo the second');
  });

  it("can change the todo's title by PATCHing to the todo's url", async () => {
    const todo = await postTodo({ title: 'initial title' });
    const patched = await patchTodo(todo.url, { title: 'bathe the cat' });
    assert.equal(patched.title, 'bathe the cat');
  });

  it("can change the todo's completedness by PATCHing to the todo's url", async () => {
    const todo = await postTodo({ title: 'test' });
    const patched = await patchTodo(todo.url, { completed: true });
    assert.equal(patched.completed, true);
    assert.equal(patched.title, 'test');
  });

  it('changes to a todo are persisted and show up when re-fetching the todo', async () => {
    const todo = await postTodo({ title: 'initial title' });
    await patchTodo(todo.url, { title: 'changed title', completed: true });
    const fetched = await fetchTodo(todo.url);
    assert.equal(fetched.title, 'changed title');
    assert.equal(fetched.completed, true);
    const listed = await getRoot();
    assert.equal(listed.length, 1);
    assert.deepEqual(listed[0], fetched);
  });

  it("can delete a todo making a DELETE request to the todo's url", async () => {
    const todo = await postTodo({ title: 'delete me' });
    const reply = await send('DELETE', todo.url);
    assert.ok(reply.status >= 200 && reply.status < 300, `status ${reply.status}`);
    assert.deepEqual(await getRoot(), []);
    assertProblem(await send('GET', todo.url), 404);
  });
});

describe('tracking todo order', () => {
  beforeEach(async () => {
    assert.equal((await send('DELETE', root)).status, 204);
  });

  it('can create a todo with an order field', async () => {
    const todo = await postTodo({ title: 'blah', order: 523 });
    assert.equal(todo.order, 523);
  });

  it('can PATCH a todo to change its order', async () => {
    const todo = await postTodo({ title: 'blah', order: 10 });
    const patched = await patchTodo(todo.url, { order: 95 });
    assert.equal(patched.order, 95);
  });

  it("remembers changes to a todo's order", async () => {
    const todo = await postTodo({ title: 'blah', order: 10 });
    await patchTodo(todo.url, { order: 95 });
    assert.equal((await fetchTodo(todo.url)).order, 95);
    assert.equal((await getRoot())[0]?.order, 95);
  });
});
