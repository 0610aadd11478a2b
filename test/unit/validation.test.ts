/**
 * The routes check bodies with src/todos/validation.ts, written without zod for the cold start; the rules are
 * declared as zod schemas in src/todos/schema.ts, which the OpenAPI document is generated from. Here the two must
 * give the same answer to every body of a large corpus: the same todo or patch, or the same error with the same
 * field errors in the same order. The reference below is how the routes used the zod schemas before.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type * as z from 'zod/mini';
import { type FieldError, ValidationError } from '../../src/todos/errors.js';
import { newTodoSchema, todoPatchSchema, tutorialNewTodoSchema } from '../../src/todos/schema.js';
import type { NewTodo, TodoPatch } from '../../src/todos/todo.js';
import { parseNewTodo, parseTodoPatch, parseTutorialNewTodo } from '../../src/todos/validation.js';

// ---- The reference: the zod schemas, read as the routes read them before validation.ts.

const SERVER_OWNED = new Set(['id', 'owner', 'url', 'createdAt', 'updatedAt', 'etag']);

function fieldErrors(error: z.core.$ZodError): FieldError[] {
  return error.issues.flatMap((issue): FieldError[] => {
    if (issue.code === 'unrecognized_keys') {
      return issue.keys.map((key) => ({
        field: key,
        message: SERVER_OWNED.has(key) ? 'is set by the server and cannot be sent' : 'is not a known field',
      }));
    }
    return [{ field: issue.path.join('.'), message: issue.message }];
  });
}

function requireObject(body: unknown): Record<string, unknown> {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ValidationError('The request body must be a JSON object.');
  }
  return body as Record<string, unknown>;
}

const invalid = (errors: FieldError[]) => new ValidationError('The request body has invalid fields.', errors);

function withDefaults(input: { title: string; completed?: boolean | undefined; order?: number | null | undefined }) {
  const todo: NewTodo = { title: input.title, completed: input.completed ?? false };
  if (input.order !== undefined && input.order !== null) todo.order = input.order;
  return todo;
}

function zodNewTodo(body: unknown): NewTodo {
  const result = newTodoSchema.safeParse(requireObject(body));
  if (!result.success) throw invalid(fieldErrors(result.error));
  return withDefaults(result.data);
}

function zodTutorialNewTodo(body: unknown): NewTodo {
  const object = requireObject(body);
  if (!Object.hasOwn(object, 'todo')) return zodNewTodo(object);
  if (Object.hasOwn(object, 'title'))
    throw invalid([{ field: 'todo', message: 'send either title or todo, not both' }]);
  const result = tutorialNewTodoSchema.safeParse(object);
  if (!result.success) throw invalid(fieldErrors(result.error));
  const { todo, ...rest } = result.data;
  return withDefaults({ ...rest, title: todo });
}

function zodTodoPatch(body: unknown): TodoPatch {
  const result = todoPatchSchema.safeParse(requireObject(body));
  if (!result.success) throw invalid(fieldErrors(result.error));
  const patch: TodoPatch = {};
  if (result.data.title !== undefined) patch.title = result.data.title;
  if (result.data.completed !== undefined) patch.completed = result.data.completed;
  if (result.data.order !== undefined) patch.order = result.data.order;
  if (Object.keys(patch).length === 0) {
    throw new ValidationError('The patch changes nothing: send at least one of title, completed, order.');
  }
  return patch;
}

// ---- The corpus.

const ABSENT = Symbol('absent');
const TEXTS: unknown[] = [
  ABSENT,
  undefined,
  null,
  42,
  true,
  ['a'],
  { text: 'a' },
  '',
  '   ',
  '\n\t \u00a0\ufeff\u2028',
  'a',
  '  Buy milk \n',
  'emoji \ud83d\ude00',
  'a\ud800b',
  '\udc00',
  ' \ud800 ',
  'x'.repeat(1000),
  ` ${'x'.repeat(1000)}  `,
  'x'.repeat(1001),
  ` ${'x'.repeat(1001)} `,
  `${'x'.repeat(1001)}\ud800`,
  // Too long only before trimming, and not well-formed: one error, not two.
  `  ${'x'.repeat(999)}\ud800 `,
];
const FLAGS: unknown[] = [ABSENT, undefined, true, false, null, 'true', 0, 1, {}];
const ORDERS: unknown[] = [
  ABSENT,
  undefined,
  null,
  0,
  -0,
  7,
  -7,
  1.5,
  Number.NaN,
  Number.POSITIVE_INFINITY,
  Number.NEGATIVE_INFINITY,
  2 ** 53 - 1,
  2 ** 53,
  -(2 ** 53 - 1),
  -(2 ** 53),
  5e-324,
  1e300,
  '1',
  true,
  [1],
];
/** Other keys, as JSON text (so that `__proto__` is an own key, as JSON.parse makes it), before or after the fields. */
const EXTRAS = [
  '"priority":"high"',
  '"id":"01ARZ3NDEKTSV4RRFFQ69G5FAV"',
  '"etag":"x","colour":"red"',
  '"__proto__":{"completed":true}',
  '"constructor":{"prototype":{}}',
  '"todo":"x"',
  '"title":"x"',
];
/** Sample values of each field of the schemas (every field of every schema must have some). */
const SAMPLES: Record<string, unknown[]> = { title: TEXTS, todo: TEXTS, completed: FLAGS, order: ORDERS };

/** Every combination of the schema's fields' samples, with each set of other keys before and after them. */
function* bodies(schema: { def: { shape: Record<string, unknown> } }): Generator<unknown> {
  const fields = Object.keys(schema.def.shape);
  const combine = function* (at: number, body: Record<string, unknown>): Generator<Record<string, unknown>> {
    const field = fields[at];
    if (field === undefined) {
      yield body;
      return;
    }
    for (const value of SAMPLES[field] ?? [])
      yield* combine(at + 1, value === ABSENT ? body : { ...body, [field]: value });
  };
  let n = 0;
  for (const fieldsOnly of combine(0, {})) {
    yield fieldsOnly;
    // JSON cannot say undefined: those bodies stay objects. The others come again as JSON with other keys, each set
    // in turn, before and after the fields in turn (so each set meets every kind of field value).
    if (Object.values(fieldsOnly).includes(undefined)) continue;
    const json = JSON.stringify(fieldsOnly).slice(1, -1);
    const extra = EXTRAS[n % EXTRAS.length] ?? '';
    const parts = Math.floor(n / EXTRAS.length) % 2 === 0 ? [json, extra] : [extra, json];
    yield JSON.parse(`{${parts.filter(Boolean).join(',')}}`);
    n++;
  }
  // Not objects at all; inherited keys (which zod reads, and lists as keys).
  yield* [null, undefined, [], [{ title: 'a' }], 'title', 42, true];
  yield Object.create({ title: 'inherited' });
  yield Object.assign(Object.create({ priority: 'high' }), { title: 'a', todo: 'b' });
}

/** What a parser made of a body: its value, or its error's message and field errors. */
function outcome(parse: (body: unknown) => unknown, body: unknown): unknown {
  try {
    return { value: parse(body) };
  } catch (error) {
    assert.ok(error instanceof ValidationError, `not a ValidationError: ${String(error)}`);
    return { message: error.message, errors: error.errors };
  }
}

const show = (body: unknown) =>
  JSON.stringify(body, (_, value) => (value === undefined ? '(undefined)' : Number.isNaN(value) ? 'NaN' : value));

describe('validation.ts gives the answers of the zod schemas', () => {
  const cases = [
    { name: 'parseNewTodo', ours: parseNewTodo, reference: zodNewTodo, schema: newTodoSchema },
    {
      name: 'parseTutorialNewTodo',
      ours: parseTutorialNewTodo,
      reference: zodTutorialNewTodo,
      schema: tutorialNewTodoSchema,
    },
    { name: 'parseTodoPatch', ours: parseTodoPatch, reference: zodTodoPatch, schema: todoPatchSchema },
  ];
  for (const { name, ours, reference, schema } of cases) {
    test(`${name}: every body of the corpus`, () => {
      let count = 0;
      let refused = 0;
      for (const body of bodies(schema)) {
        const expected = outcome(reference, body) as { errors?: FieldError[] };
        assert.deepEqual(outcome(ours, body), expected, show(body));
        count++;
        if (expected.errors) refused++;
      }
      // The corpus reaches both answers, in numbers.
      assert.ok(count > 5_000, `${count} bodies`);
      assert.ok(refused > count / 4 && refused < count, `${refused} of ${count} refused`);
    });
  }

  test('the corpus has samples for every field of every schema', () => {
    for (const schema of [newTodoSchema, tutorialNewTodoSchema, todoPatchSchema]) {
      for (const field of Object.keys(schema.def.shape)) assert.ok(SAMPLES[field]?.length, field);
    }
  });
});
