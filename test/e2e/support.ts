/**
 * Helpers for the end-to-end tests: plain HTTP against a running local system
 * (loopback only), and strict checks of the shapes the API promises. Every answer
 * `call` and `rawCall` receive is also held to the OpenAPI document (support/contract.ts).
 */
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before } from 'node:test';
import { type LocalAuthMode, type LocalOptions, type LocalSystem, startLocal } from '../../local/server.js';
import { checkAnswer, registerSystem } from '../support/contract.js';

/**
 * One local system for the whole test file: started (on free ports, in memory) before its tests, with `started`
 * run for the file's own set-up, and closed after them.
 */
export function useLocalSystem(
  authMode: LocalAuthMode,
  started: (system: LocalSystem) => Promise<void> | void,
  options: Partial<LocalOptions> = {},
): void {
  let system: LocalSystem | undefined;
  before(async () => {
    system = await startLocal({ port: 0, dynamodbPort: 0, authMode, ...options });
    registerSystem(system.url, authMode);
    await started(system);
  });
  after(async () => {
    await system?.close();
  });
}

export interface Reply {
  status: number;
  headers: Headers;
  text: string;
}

export interface CallOptions {
  /** Sent as JSON with `content-type: application/json` (unless headers say otherwise). */
  json?: unknown;
  /** Sent as it is; fetch adds `content-type: text/plain` unless headers say otherwise. */
  body?: string;
  headers?: Record<string, string>;
}

/** One request with fetch; `path` may be relative to `base` or absolute (a todo's url, a Link). */
export async function call(base: string, method: string, path: string, options: CallOptions = {}): Promise<Reply> {
  const headers: Record<string, string> = { ...options.headers };
  let body = options.body;
  if (options.json !== undefined) {
    body = JSON.stringify(options.json);
    headers['content-type'] ??= 'application/json';
  }
  const url = new URL(path, base);
  const response = await fetch(url, { method, headers, ...(body === undefined ? {} : { body }) });
  const reply = { status: response.status, headers: response.headers, text: await response.text() };
  checkAnswer(method, url.href, reply);
  return reply;
}

/** One request with node:http, which sends exactly the headers given (e.g. no Content-Type at all). */
export function rawCall(
  base: string,
  method: string,
  path: string,
  body: string | Buffer | undefined,
  headers: Record<string, string> = {},
): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      {
        hostname: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method,
        headers: { ...headers, ...(body === undefined ? {} : { 'content-length': String(Buffer.byteLength(body)) }) },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('error', reject);
        res.on('end', () => {
          const out = new Headers();
          for (const [name, value] of Object.entries(res.headers)) {
            if (Array.isArray(value)) for (const v of value) out.append(name, v);
            else if (value !== undefined) out.set(name, value);
          }
          const reply = { status: res.statusCode ?? 0, headers: out, text: Buffer.concat(chunks).toString('utf8') };
          try {
            checkAnswer(method, url.href, reply);
            resolve(reply);
          } catch (error) {
            reject(error);
          }
        });
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export const ULID = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;
export const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?Z$/;

export interface Todo {
  id: string;
  title: string;
  completed: boolean;
  order?: number;
  url: string;
  createdAt: string;
  updatedAt: string;
  /** The todo's ETag, as its own GET would send it. */
  etag: string;
}

const TODO_FIELDS = new Set(['id', 'title', 'completed', 'order', 'url', 'createdAt', 'updatedAt', 'etag']);

/** Checks every promise about a todo's representation and returns it typed. */
export function asTodo(value: unknown, base: string): Todo {
  assert.ok(isRecord(value), `a todo is a JSON object, got ${JSON.stringify(value)}`);
  for (const key of Object.keys(value)) assert.ok(TODO_FIELDS.has(key), `unexpected field ${key} in a todo`);
  const { id, title, completed, order, url, createdAt, updatedAt, etag } = value;
  assert.ok(typeof etag === 'string' && /^"[^"]+"$/.test(etag), `etag is a quoted entity tag, got ${etag}`);
  assert.ok(typeof id === 'string' && ULID.test(id), `id is a ULID, got ${JSON.stringify(id)}`);
  assert.equal(typeof title, 'string');
  assert.equal(typeof completed, 'boolean');
  if (order !== undefined) assert.ok(Number.isInteger(order), `order is an integer, got ${JSON.stringify(order)}`);
  assert.equal(url, `${base}/todos/${id}`);
  for (const stamp of [createdAt, updatedAt]) {
    assert.ok(typeof stamp === 'string' && ISO_UTC.test(stamp), `an ISO-8601 UTC timestamp, got ${stamp}`);
    assert.ok(!Number.isNaN(Date.parse(stamp)), `a real date, got ${stamp}`);
  }
  assert.ok(typeof updatedAt === 'string' && typeof createdAt === 'string' && updatedAt >= createdAt);
  const todo: Todo = {
    id,
    title: String(title),
    completed: completed === true,
    url: String(url),
    createdAt: String(createdAt),
    updatedAt: String(updatedAt),
    etag: String(etag),
  };
  if (typeof order === 'number') todo.order = order;
  return todo;
}

/** A JSON response body (content type checked). */
export function jsonBody(reply: Reply): unknown {
  assert.match(reply.headers.get('content-type') ?? '', /^application\/json\b/i, reply.text);
  return JSON.parse(reply.text) as unknown;
}

/** A 200 list page: a bare array of todos. */
export function asTodoList(reply: Reply, base: string): Todo[] {
  assert.equal(reply.status, 200, reply.text);
  const body = jsonBody(reply);
  assert.ok(Array.isArray(body), `a bare JSON array, got ${reply.text}`);
  return body.map((item) => asTodo(item, base));
}

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
  requestId: string;
}

/** Checks an application/problem+json answer with `status` and returns it. */
export function assertProblem(reply: Reply, status: number): Problem {
  assert.equal(reply.status, status, reply.text);
  assert.match(reply.headers.get('content-type') ?? '', /^application\/problem\+json\b/i);
  const body = JSON.parse(reply.text) as unknown;
  assert.ok(isRecord(body), reply.text);
  const { type, title, detail, errors, requestId } = body;
  assert.ok(typeof type === 'string' && type.length > 0, 'problem type');
  assert.ok(typeof title === 'string' && title.length > 0, 'problem title');
  assert.ok(typeof detail === 'string' && detail.length > 0, 'problem detail');
  assert.equal(body.status, status);
  const headerId = reply.headers.get('apigw-requestid');
  assert.ok(headerId, 'apigw-requestid header');
  assert.equal(requestId, headerId, 'the problem names the request id of the response');
  const problem: Problem = { type, title, status, detail, requestId: headerId };
  if (errors !== undefined) {
    assert.ok(Array.isArray(errors), 'errors is an array');
    problem.errors = errors.map((e: unknown) => {
      assert.ok(isRecord(e) && typeof e.field === 'string' && typeof e.message === 'string', JSON.stringify(e));
      return { field: e.field, message: e.message };
    });
  }
  return problem;
}

/** Asserts that a problem has a field error for `field`. */
export function assertFieldError(problem: Problem, field: string): void {
  assert.ok(
    problem.errors?.some((e) => e.field === field && e.message.length > 0),
    `expected a field error for ${field}, got ${JSON.stringify(problem.errors)}`,
  );
}

/** Asserts API Gateway's own 404 for a route that does not exist. */
export function assertNoRoute(reply: Reply): void {
  assert.equal(reply.status, 404, reply.text);
  assert.deepEqual(JSON.parse(reply.text), { message: 'Not Found' });
}

/** POST /todos (or another path), asserting 201, Location and the todo. */
export async function createTodo(
  base: string,
  input: unknown,
  path = '/todos',
  headers: Record<string, string> = {},
): Promise<Todo> {
  const reply = await call(base, 'POST', path, { json: input, headers });
  assert.equal(reply.status, 201, reply.text);
  const todo = asTodo(jsonBody(reply), base);
  assert.equal(reply.headers.get('location'), todo.url);
  return todo;
}

/** The `rel="next"` target of a Link header, if any. */
export function nextLink(reply: Reply): string | undefined {
  const link = reply.headers.get('link');
  if (link === null) return undefined;
  const match = /<([^>]+)>\s*;\s*rel="?next"?/.exec(link);
  assert.ok(match?.[1], `a Link header with rel="next", got ${link}`);
  return match[1];
}

/**
 * Every todo, following Link headers from `first`; returns the pages too. `headers` go with every request (the
 * Authorization of the user whose todos they are).
 */
export async function listAll(
  base: string,
  first = '/todos',
  headers: Record<string, string> = {},
): Promise<{ todos: Todo[]; pages: Todo[][] }> {
  const pages: Todo[][] = [];
  let next: string | undefined = first;
  while (next !== undefined) {
    assert.ok(pages.length < 1000, 'pagination does not end');
    const reply = await call(base, 'GET', next, { headers });
    pages.push(asTodoList(reply, base));
    next = nextLink(reply);
    if (next !== undefined) assert.ok(next.startsWith(`${base}/todos?`), `an absolute next link, got ${next}`);
  }
  return { todos: pages.flat(), pages };
}

/** The whole list in one request (fewer than 100 todos). */
export async function listTodos(base: string): Promise<Todo[]> {
  const reply = await call(base, 'GET', '/todos');
  assert.equal(nextLink(reply), undefined, 'the whole list fits one page');
  return asTodoList(reply, base);
}

/** GET one todo by path or url, asserting 200. */
export async function getTodo(base: string, pathOrUrl: string): Promise<Todo> {
  const reply = await call(base, 'GET', pathOrUrl);
  assert.equal(reply.status, 200, reply.text);
  return asTodo(jsonBody(reply), base);
}
