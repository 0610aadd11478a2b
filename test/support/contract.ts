/**
 * The contract check of the end-to-end tests: every answer they receive is held to the OpenAPI document. Its
 * status must be one the operation declares, its media type one declared for that status, its body valid against
 * that schema (JSON Schema 2020-12, by Ajv), and its declared headers of their declared types. An answer that breaks
 * the document fails the test that received it.
 */
import assert from 'node:assert/strict';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { openApiDocument } from '../../src/http/openapi.js';

type Json = Record<string, unknown>;

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: Json }>; headers?: Record<string, Json> }>;
}

/** What the contract check needs of an answer. */
export interface Answer {
  status: number;
  headers: Headers;
  text: string;
}

type Document = Json & { paths: Record<string, Record<string, Operation>>; components: Json };

// The document of each auth mode (they differ in the 401s and the security scheme; components are the same).
const DOCUMENTS = {
  oidc: openApiDocument({ serverUrl: 'http://localhost', authMode: 'oidc' }) as Document,
  none: openApiDocument({ serverUrl: 'http://localhost', authMode: 'none' }) as Document,
};
// Components are the same in both but for the 401, which only the oidc one has: refs are followed in that one.
const DOCUMENT = DOCUMENTS.oidc;

// Which document holds the answers of each running system, by its port (tests reach one system by several host
// names: 127.0.0.1, localhost); useLocalSystem registers each one.
const systems = new Map<string, keyof typeof DOCUMENTS>();
const portOf = (url: URL) => url.port || (url.protocol === 'https:' ? '443' : '80');

/** Holds the answers from the system at `url` to the document of `authMode` from now on. */
export function registerSystem(url: string, authMode: keyof typeof DOCUMENTS): void {
  systems.set(portOf(new URL(url)), authMode);
}

const ajv = new Ajv2020({ strict: false, allErrors: true });
(addFormats as unknown as (instance: Ajv2020) => void)(ajv);
// The document's components, so that schemas can refer to them.
ajv.addSchema({ $id: 'openapi', components: DOCUMENT.components });

/** A schema of the document, made to refer to the components through the schema added above. */
function resolveRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(resolveRefs);
  if (node === null || typeof node !== 'object') return node;
  const out: Json = {};
  for (const [key, value] of Object.entries(node)) {
    out[key] = key === '$ref' && typeof value === 'string' ? `openapi${value}` : resolveRefs(value);
  }
  return out;
}

/** A `$ref` of the document, followed (responses and headers are components too). */
function follow<T>(node: T | { $ref: string }): T {
  const ref = (node as { $ref?: unknown }).$ref;
  if (typeof ref !== 'string') return node as T;
  let target: unknown = DOCUMENT;
  for (const part of ref.replace(/^#\//, '').split('/')) target = (target as Json)[part];
  return follow(target as T);
}

const validators = new Map<string, ValidateFunction>();
function validator(schema: Json): ValidateFunction {
  const key = JSON.stringify(schema);
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.compile(resolveRefs(schema) as Json);
    validators.set(key, validate);
  }
  return validate;
}

const routesOf = (document: Document) =>
  Object.entries(document.paths).map(([path, operations]) => ({
    path,
    pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
    operations,
  }));
const ROUTES = { oidc: routesOf(DOCUMENTS.oidc), none: routesOf(DOCUMENTS.none) };

/** The operation that serves `method` on `pathname`, if the document has one (a literal path wins). */
function operationOf(
  routes: ReturnType<typeof routesOf>,
  method: string,
  pathname: string,
): { name: string; operation: Operation } | undefined {
  const matching = routes
    .filter((route) => route.pattern.test(pathname))
    .sort((a, b) => a.path.split('{').length - b.path.split('{').length);
  for (const route of matching) {
    const operation = route.operations[method.toLowerCase()];
    if (operation) return { name: `${method} ${route.path}`, operation };
  }
  return undefined;
}

/**
 * Holds one answer to the document of the system that gave it. CORS preflights are API Gateway's and left alone; a
 * request for a route the document does not have must get API Gateway's own 404; everything else must match: a
 * declared status, its declared media type and schema, the headers it requires, present and well-typed, and a
 * problem whose `status` is the answer's.
 */
export function checkAnswer(method: string, url: string, answer: Answer): void {
  const upper = method.toUpperCase();
  const parsed = new URL(url);
  const { pathname } = parsed;
  // Preflights are API Gateway's; /.well-known/ is the local issuer's (the stand-in for Cognito or another issuer).
  if (upper === 'OPTIONS' || pathname.startsWith('/.well-known/')) return;
  const authMode = systems.get(portOf(parsed));
  assert.ok(authMode, `${url}: no system registered there (registerSystem)`);
  const what = `${upper} ${pathname} → ${answer.status}`;
  const found = operationOf(ROUTES[authMode], upper, pathname);
  if (!found) {
    // No such route: API Gateway answers by itself, before any function.
    assert.equal(answer.status, 404, `${what}: the document has no ${upper} ${pathname}, yet it was answered`);
    assert.deepEqual(JSON.parse(answer.text || 'null'), { message: 'Not Found' }, `${what}: not the gateway's 404`);
    return;
  }
  const declared = found.operation.responses[String(answer.status)];
  assert.ok(declared, `${what}: ${found.name} does not declare ${answer.status} (${answer.text.slice(0, 200)})`);
  const response = follow(declared);

  for (const [name, reference] of Object.entries(response.headers ?? {})) {
    const header = follow(reference as Json);
    const value = answer.headers.get(name);
    if (value === null) {
      assert.ok(header.required !== true, `${what}: the required header ${name} is missing`);
      continue;
    }
    const schema = header.schema as Json | undefined;
    if (!schema) continue;
    const typed = schema.type === 'integer' ? Number(value) : value;
    assert.ok(
      validator(schema)(typed),
      `${what}: header ${name}: ${JSON.stringify(value)} is not ${JSON.stringify(schema)}`,
    );
  }

  const content = response.content;
  if (!content) {
    assert.equal(answer.text, '', `${what}: declares no body, got ${answer.text.slice(0, 200)}`);
    return;
  }
  const mediaType = (answer.headers.get('content-type') ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  const media = content[mediaType];
  assert.ok(media, `${what}: ${mediaType || 'no content type'} is not one of ${Object.keys(content).join(', ')}`);
  if (!mediaType.endsWith('json') || !media.schema) return;
  const body: unknown = JSON.parse(answer.text);
  const validate = validator(media.schema);
  assert.ok(
    validate(body),
    `${what}: the body does not match the document: ${ajv.errorsText(validate.errors)}\n${answer.text.slice(0, 500)}`,
  );
  if (mediaType === 'application/problem+json') {
    assert.equal((body as { status?: unknown }).status, answer.status, `${what}: the problem names another status`);
  }
}
