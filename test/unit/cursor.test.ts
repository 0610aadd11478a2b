import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { monotonicFactory } from 'ulid';
import { decodeCursor, encodeCursor } from '../../src/todos/cursor.js';
import { InvalidCursorError } from '../../src/todos/errors.js';

const newId = monotonicFactory();
const BASE64URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const OWNER = 'anonymous';

const isInvalidCursor = (error: unknown) => error instanceof InvalidCursorError;

describe('cursor', () => {
  test('round trips the last id for the same owner', () => {
    for (let i = 0; i < 20; i++) {
      const id = newId();
      const cursor = encodeCursor(OWNER, id);
      assert.match(cursor, /^[A-Za-z0-9_-]+$/);
      assert.equal(decodeCursor(OWNER, cursor), id);
    }
  });

  test('is opaque: the id is not visible as text', () => {
    const id = newId();
    assert.equal(encodeCursor(OWNER, id).includes(id), false);
  });

  test("another owner's cursor is refused", () => {
    const cursor = encodeCursor('alice', newId());
    assert.throws(() => decodeCursor('bob', cursor), isInvalidCursor);
    assert.throws(() => decodeCursor('alice ', cursor), isInvalidCursor);
    assert.throws(() => decodeCursor('', cursor), isInvalidCursor);
  });

  test('the error has the documented message', () => {
    assert.throws(
      () => decodeCursor(OWNER, 'garbage'),
      (error: unknown) => {
        assert.ok(error instanceof InvalidCursorError);
        assert.equal(error.name, 'InvalidCursorError');
        assert.equal(error.message, 'The cursor is not valid for this listing; start again without it.');
        return true;
      },
    );
  });

  test('every single-character modification is refused', () => {
    const cursor = encodeCursor(OWNER, newId());
    const accepted: string[] = [];
    for (let i = 0; i < cursor.length; i++) {
      for (const ch of BASE64URL) {
        if (ch === cursor[i]) continue;
        const edited = cursor.slice(0, i) + ch + cursor.slice(i + 1);
        try {
          decodeCursor(OWNER, edited);
          accepted.push(`position ${i}: ${edited}`);
        } catch (error) {
          assert.ok(isInvalidCursor(error), `unexpected error ${String(error)}`);
        }
      }
    }
    // decodeCursor promises to refuse "anything this server did not issue to owner".
    assert.deepEqual(accepted, [], `cursor ${cursor} has accepted variants`);
  });

  test('dropping or adding characters is refused', () => {
    const cursor = encodeCursor(OWNER, newId());
    for (let n = 1; n < cursor.length; n++) {
      assert.throws(() => decodeCursor(OWNER, cursor.slice(0, n)), isInvalidCursor, `prefix of length ${n}`);
      assert.throws(() => decodeCursor(OWNER, cursor.slice(n)), isInvalidCursor, `suffix from ${n}`);
    }
    for (const ch of BASE64URL) {
      assert.throws(() => decodeCursor(OWNER, cursor + ch), isInvalidCursor, `appended ${ch}`);
    }
  });

  test('garbage, empty, very long and non-base64url cursors are refused', () => {
    const valid = encodeCursor(OWNER, newId());
    const cases = [
      '',
      'garbage',
      'A',
      'AAAA',
      `${valid}=`,
      `${valid}==`,
      valid.replace(/[A-Za-z]/, '+'),
      valid.replace(/[A-Za-z]/, '/'),
      `${valid.slice(0, 10)} ${valid.slice(10)}`,
      `${valid}\n`,
      `${valid}.`,
      'é',
      valid.repeat(4),
      'A'.repeat(10_000),
      Buffer.from(`v1.${newId()}`).toString('base64url'),
      Buffer.from(`v2.${newId()}.AAAAAAAAAAAAAAAA`).toString('base64url'),
      Buffer.from(`v1.not-an-id.AAAAAAAAAAAAAAAA`).toString('base64url'),
    ];
    for (const cursor of cases) {
      assert.throws(() => decodeCursor(OWNER, cursor), isInvalidCursor, JSON.stringify(cursor.slice(0, 80)));
    }
  });

  test('a well-formed payload with the wrong check or extra parts is refused', () => {
    const id = newId();
    const [version, lastId, mac] = Buffer.from(encodeCursor(OWNER, id), 'base64url').toString('utf8').split('.');
    assert.equal(version, 'v1');
    assert.equal(lastId, id);
    assert.ok(mac !== undefined && mac.length > 0);
    const reencode = (text: string) => Buffer.from(text).toString('base64url');
    // The untouched payload re-encoded is the valid cursor; each variant below differs in one part.
    assert.equal(decodeCursor(OWNER, reencode(`v1.${id}.${mac}`)), id);
    assert.throws(() => decodeCursor(OWNER, reencode(`v1.${id}.${mac}.x`)), isInvalidCursor);
    assert.throws(() => decodeCursor(OWNER, reencode(`v1.${id}.`)), isInvalidCursor);
    assert.throws(() => decodeCursor(OWNER, reencode(`v1.${id}.${mac.toUpperCase()}x`)), isInvalidCursor);
    assert.throws(() => decodeCursor(OWNER, reencode(`v1.${newId()}.${mac}`)), isInvalidCursor);
    assert.throws(() => decodeCursor(OWNER, reencode(`v1.${id.toLowerCase()}.${mac}`)), isInvalidCursor);
  });
});
