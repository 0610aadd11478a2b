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

// The document of a deployment with tokens: it declares everything, 401s included.
const DOCUMENT = openApiDocument({ serverUrl: 'http://localhost', authMode: 'oidc' }) as Json & {
  paths: Record<string, Record<string, Operation>>;
  components: Json;
};

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

const ROUTES = Object.entries(DOCUMENT.paths).map(([path, operations]) => ({
  path,
  pattern: new RegExp(`^${path.replace(/\{[^}]+\}/g, '[^/]+')}$`),
  operations,
}));

/** The operation that serves `method` on `pathname`, if the document has one (a literal path wins). */
function operationOf(method: string, pathname: string): { name: string; operation: Operation } | undefined {
  const matching = ROUTES.filter((route) => route.pattern.test(pathname)).sort(
    (a, b) => a.path.split('{').length - b.path.split('{').length,
  );
  for (const route of matching) {
    const operation = route.operations[method.toLowerCase()];
    if (operation) return { name: `${method} ${route.path}`, operation };
  }
  return undefined;
}

/** How many answers were held to the document, and to which operation and status (for a report). */
export const checked = new Map<string, number>();

/**
 * Holds one answer to the document. Requests the document does not describe (CORS preflights, routes that do not
 * exist, the local issuer's keys) are left alone; everything else must match.
 */
export function checkAnswer(method: string, url: string, answer: Answer): void {
  const upper = method.toUpperCase();
  if (upper === 'OPTIONS' || upper === 'HEAD') return;
  const { pathname } = new URL(url);
  const found = operationOf(upper, pathname);
  if (!found) return;
  const what = `${upper} ${pathname} → ${answer.status}`;
  const declared = found.operation.responses[String(answer.status)];
  assert.ok(declared, `${what}: ${found.name} does not declare ${answer.status} (${answer.text.slice(0, 200)})`);
  const response = follow(declared);
  checked.set(`${found.name} ${answer.status}`, (checked.get(`${found.name} ${answer.status}`) ?? 0) + 1);

  for (const [name, header] of Object.entries(response.headers ?? {})) {
    const value = answer.headers.get(name);
    const schema = follow(header as Json).schema as Json | undefined;
    if (value === null || !schema) continue;
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
}
