import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type FieldError, ValidationError } from '../../src/todos/errors.js';
import { MAX_TITLE_LENGTH, parseNewTodo, parseTodoPatch, parseTutorialNewTodo } from '../../src/todos/validation.js';

/** Asserts that `fn` throws a ValidationError with exactly these field errors (and, if given, this message). */
function assertInvalid(fn: () => unknown, errors: FieldError[], message?: string): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ValidationError, `expected a ValidationError, got ${String(error)}`);
    assert.deepEqual(error.errors, errors);
    if (message !== undefined) assert.equal(error.message, message);
    return true;
  });
}

const NOT_AN_OBJECT = 'The request body must be a JSON object.';
const INVALID_FIELDS = 'The request body has invalid fields.';
const SERVER_OWNED_MESSAGE = 'is set by the server and cannot be sent';

describe('parseNewTodo', () => {
  test('accepts a title and defaults completed to false, without an order', () => {
    const todo = parseNewTodo({ title: 'Buy milk' });
    assert.deepEqual(todo, { title: 'Buy milk', completed: false });
    assert.equal(Object.hasOwn(todo, 'order'), false);
  });

  test('keeps completed and order when given', () => {
    assert.deepEqual(parseNewTodo({ title: 'a', completed: true, order: 3 }), {
      title: 'a',
      completed: true,
      order: 3,
    });
    assert.deepEqual(parseNewTodo({ title: 'a', order: -7 }), { title: 'a', completed: false, order: -7 });
    assert.deepEqual(parseNewTodo({ title: 'a', order: 0 }), { title: 'a', completed: false, order: 0 });
  });

  test('trims the title', () => {
    assert.equal(parseNewTodo({ title: '  Buy milk \n\t' }).title, 'Buy milk');
  });

  test('a missing title is required', () => {
    assertInvalid(() => parseNewTodo({}), [{ field: 'title', message: 'is required' }], INVALID_FIELDS);
    assertInvalid(() => parseNewTodo({ completed: true }), [{ field: 'title', message: 'is required' }]);
  });

  test('a blank title is refused', () => {
    for (const title of ['', ' ', '\n\t  ']) {
      assertInvalid(() => parseNewTodo({ title }), [{ field: 'title', message: 'must not be blank' }]);
    }
  });

  test('a title that is not a string is refused', () => {
    for (const title of [null, 42, true, ['a'], { text: 'a' }]) {
      assertInvalid(() => parseNewTodo({ title }), [{ field: 'title', message: 'must be a string' }]);
    }
  });

  test('a title that is not well-formed Unicode (a lone surrogate) is refused', () => {
    for (const title of ['a\ud800b', '\udc00', 'x\ud83d']) {
      assertInvalid(() => parseNewTodo({ title }), [{ field: 'title', message: 'must be valid Unicode text' }]);
    }
    assert.equal(parseNewTodo({ title: 'emoji \ud83d\ude00' }).title, 'emoji \u{1f600}');
  });

  test('the title may have 1000 characters after trimming, not 1001', () => {
    assert.equal(MAX_TITLE_LENGTH, 1000);
    const max = 'x'.repeat(1000);
    assert.equal(parseNewTodo({ title: max }).title, max);
    // Leading and trailing spaces do not count.
    assert.equal(parseNewTodo({ title: `   ${max}   ` }).title, max);
    assertInvalid(
      () => parseNewTodo({ title: 'x'.repeat(1001) }),
      [{ field: 'title', message: 'must be at most 1000 characters' }],
    );
    assertInvalid(
      () => parseNewTodo({ title: ` ${'x'.repeat(1001)} ` }),
      [{ field: 'title', message: 'must be at most 1000 characters' }],
    );
  });

  test('completed must be a boolean', () => {
    for (const completed of ['true', 1, 0, null, 'false']) {
      assertInvalid(
        () => parseNewTodo({ title: 'a', completed }),
        [{ field: 'completed', message: 'must be true or false' }],
      );
    }
  });

  test('order must be an integer, or null for none', () => {
    for (const order of [
      1.5,
      '1',
      Number.NaN,
      Number.POSITIVE_INFINITY,
      Number.NEGATIVE_INFINITY,
      true,
      2 ** 60,
      [1],
    ]) {
      assertInvalid(
        () => parseNewTodo({ title: 'a', order }),
        [{ field: 'order', message: 'must be an integer or null' }],
      );
    }
    assert.deepEqual(parseNewTodo({ title: 'a', order: null }), { title: 'a', completed: false });
  });

  test('an unknown field is refused by name', () => {
    assertInvalid(
      () => parseNewTodo({ title: 'a', priority: 'high' }),
      [{ field: 'priority', message: 'is not a known field' }],
    );
  });

  test('each server-owned field is refused with its own message', () => {
    for (const field of ['id', 'owner', 'url', 'createdAt', 'updatedAt', 'etag']) {
      assertInvalid(() => parseNewTodo({ title: 'a', [field]: 'x' }), [{ field, message: SERVER_OWNED_MESSAGE }]);
    }
  });

  test('several bad fields are all reported', () => {
    assert.throws(
      () => parseNewTodo({ title: '', id: 'x', colour: 'red' }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        const sorted = [...error.errors].sort((a, b) => a.field.localeCompare(b.field));
        assert.deepEqual(sorted, [
          { field: 'colour', message: 'is not a known field' },
          { field: 'id', message: SERVER_OWNED_MESSAGE },
          { field: 'title', message: 'must not be blank' },
        ]);
        return true;
      },
    );
  });

  test('__proto__ and constructor keys from JSON.parse are refused as unknown fields', () => {
    const proto = JSON.parse('{"title":"a","__proto__":{"completed":true}}');
    assertInvalid(() => parseNewTodo(proto), [{ field: '__proto__', message: 'is not a known field' }]);
    const nullProto = JSON.parse('{"title":"a","__proto__":null}');
    assertInvalid(() => parseNewTodo(nullProto), [{ field: '__proto__', message: 'is not a known field' }]);
    const ctor = JSON.parse('{"title":"a","constructor":{"prototype":{}}}');
    assertInvalid(() => parseNewTodo(ctor), [{ field: 'constructor', message: 'is not a known field' }]);
  });

  test('a body that is not an object is refused', () => {
    for (const body of [[], [{ title: 'a' }], null, undefined, 'title', 42, true]) {
      assertInvalid(() => parseNewTodo(body), [], NOT_AN_OBJECT);
    }
  });

  test('never returns fields it was not asked to keep', () => {
    const todo = parseNewTodo({ title: 'a', completed: false });
    assert.deepEqual(Object.keys(todo).sort(), ['completed', 'title']);
  });
});

describe('parseTutorialNewTodo', () => {
  test('{todo} is the title', () => {
    assert.deepEqual(parseTutorialNewTodo({ todo: '  Walk the dog ' }), {
      title: 'Walk the dog',
      completed: false,
    });
    assert.deepEqual(parseTutorialNewTodo({ todo: 'x', completed: true, order: 2 }), {
      title: 'x',
      completed: true,
      order: 2,
    });
  });

  test('{todo} on POST /todos is an unknown field and the title is missing', () => {
    assert.throws(
      () => parseNewTodo({ todo: 'x' }),
      (error: unknown) => {
        assert.ok(error instanceof ValidationError);
        const sorted = [...error.errors].sort((a, b) => a.field.localeCompare(b.field));
        assert.deepEqual(sorted, [
          { field: 'title', message: 'is required' },
          { field: 'todo', message: 'is not a known field' },
        ]);
        return true;
      },
    );
  });

  test('{title} works too', () => {
    assert.deepEqual(parseTutorialNewTodo({ title: 'a' }), { title: 'a', completed: false });
  });

  test('todo and title together are refused', () => {
    assertInvalid(
      () => parseTutorialNewTodo({ todo: 'a', title: 'b' }),
      [{ field: 'todo', message: 'send either title or todo, not both' }],
    );
  });

  test('errors about the text are reported on the field todo', () => {
    assertInvalid(() => parseTutorialNewTodo({ todo: '   ' }), [{ field: 'todo', message: 'must not be blank' }]);
    assertInvalid(() => parseTutorialNewTodo({ todo: 5 }), [{ field: 'todo', message: 'must be a string' }]);
    assertInvalid(
      () => parseTutorialNewTodo({ todo: 'x'.repeat(1001) }),
      [{ field: 'todo', message: 'must be at most 1000 characters' }],
    );
  });

  test('other fields keep their own names and rules', () => {
    assertInvalid(
      () => parseTutorialNewTodo({ todo: 'a', order: 1.5 }),
      [{ field: 'order', message: 'must be an integer or null' }],
    );
    assertInvalid(() => parseTutorialNewTodo({ todo: 'a', id: 'x' }), [{ field: 'id', message: SERVER_OWNED_MESSAGE }]);
    const proto = JSON.parse('{"todo":"a","__proto__":{"x":1}}');
    assertInvalid(() => parseTutorialNewTodo(proto), [{ field: '__proto__', message: 'is not a known field' }]);
  });

  test('a body that is not an object is refused', () => {
    assertInvalid(() => parseTutorialNewTodo(['a']), [], NOT_AN_OBJECT);
  });
});

describe('parseTodoPatch', () => {
  test('returns only the fields sent', () => {
    assert.deepEqual(parseTodoPatch({ completed: true }), { completed: true });
    assert.deepEqual(parseTodoPatch({ order: 4 }), { order: 4 });
    // null clears the order.
    assert.deepEqual(parseTodoPatch({ order: null }), { order: null });
    assert.deepEqual(parseTodoPatch({ title: ' New ' }), { title: 'New' });
    assert.deepEqual(parseTodoPatch({ title: 'a', completed: false, order: 0 }), {
      title: 'a',
      completed: false,
      order: 0,
    });
  });

  test('an empty patch is refused', () => {
    assertInvalid(
      () => parseTodoPatch({}),
      [],
      'The patch changes nothing: send at least one of title, completed, order.',
    );
  });

  test('the same rules as creation apply to each field', () => {
    assertInvalid(() => parseTodoPatch({ title: '  ' }), [{ field: 'title', message: 'must not be blank' }]);
    assertInvalid(() => parseTodoPatch({ title: null }), [{ field: 'title', message: 'must be a string' }]);
    assertInvalid(
      () => parseTodoPatch({ title: 'x'.repeat(1001) }),
      [{ field: 'title', message: 'must be at most 1000 characters' }],
    );
    assert.equal(parseTodoPatch({ title: ` ${'x'.repeat(1000)} ` }).title, 'x'.repeat(1000));
    assertInvalid(
      () => parseTodoPatch({ completed: 'yes' }),
      [{ field: 'completed', message: 'must be true or false' }],
    );
    assertInvalid(() => parseTodoPatch({ order: 1.5 }), [{ field: 'order', message: 'must be an integer or null' }]);
    assertInvalid(() => parseTodoPatch({ order: '1' }), [{ field: 'order', message: 'must be an integer or null' }]);
  });

  test('unknown and server-owned fields are refused', () => {
    assertInvalid(() => parseTodoPatch({ done: true }), [{ field: 'done', message: 'is not a known field' }]);
    for (const field of ['id', 'owner', 'url', 'createdAt', 'updatedAt', 'etag']) {
      assertInvalid(
        () => parseTodoPatch({ completed: true, [field]: 'x' }),
        [{ field, message: SERVER_OWNED_MESSAGE }],
      );
    }
  });

  test('the tutorial field todo is not part of a patch', () => {
    assertInvalid(() => parseTodoPatch({ todo: 'x' }), [{ field: 'todo', message: 'is not a known field' }]);
  });

  test('__proto__ and constructor keys are refused', () => {
    assertInvalid(
      () => parseTodoPatch(JSON.parse('{"completed":true,"__proto__":{"title":"x"}}')),
      [{ field: '__proto__', message: 'is not a known field' }],
    );
    assertInvalid(
      () => parseTodoPatch(JSON.parse('{"completed":true,"constructor":1}')),
      [{ field: 'constructor', message: 'is not a known field' }],
    );
  });

  test('a body that is not an object is refused', () => {
    for (const body of [[], null, 'completed', 1]) {
      assertInvalid(() => parseTodoPatch(body), [], NOT_AN_OBJECT);
    }
  });
});
