import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { isId, newId } from '../../src/todos/ids.js';

// newId keeps per-process state (ids never go back in time), so every test here
// passes an explicit `now`, and the values increase from one test to the next.
const CROCKFORD = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const T0 = Date.UTC(2031, 0, 1); // after the real clock, so no earlier id constrains these

function decodeTime(id: string): number {
  let ms = 0;
  for (const ch of id.slice(0, 10)) {
    const digit = CROCKFORD.indexOf(ch);
    assert.ok(digit >= 0, `${ch} is not a Crockford base32 digit`);
    ms = ms * 32 + digit;
  }
  return ms;
}

describe('newId', () => {
  test('is 26 characters of Crockford base32', () => {
    for (let i = 0; i < 200; i++) {
      const id = newId(T0 + i);
      assert.equal(id.length, 26);
      assert.match(id, /^[0-9A-HJKMNP-TV-Z]{26}$/);
      assert.doesNotMatch(id, /[ILOU]/);
      assert.ok(isId(id));
    }
  });

  test('the first 10 characters encode the given milliseconds', () => {
    for (const now of [T0 + 1000, T0 + 1001, T0 + 86_400_000, Date.UTC(2040, 5, 15, 12, 30, 45, 678)]) {
      const id = newId(now);
      assert.equal(decodeTime(id), now);
    }
  });

  test('ids of the same millisecond are strictly increasing and keep that millisecond', () => {
    const now = Date.UTC(2041, 0, 1);
    const ids = Array.from({ length: 5000 }, () => newId(now));
    for (let i = 1; i < ids.length; i++) {
      const previous = ids[i - 1] ?? '';
      const current = ids[i] ?? '';
      assert.ok(previous < current, `${previous} < ${current} at ${i}`);
      assert.equal(decodeTime(current), now);
    }
    assert.equal(new Set(ids).size, ids.length);
  });

  test('ids sort lexicographically in creation order across milliseconds', () => {
    const start = Date.UTC(2042, 0, 1);
    const ids: string[] = [];
    for (let ms = 0; ms < 50; ms++) {
      // Several per millisecond, and gaps of various sizes between milliseconds.
      for (let k = 0; k < 5; k++) ids.push(newId(start + ms * 997));
    }
    assert.deepEqual([...ids].sort(), ids);
    assert.equal(new Set(ids).size, ids.length);
  });

  test('the largest 48-bit time still encodes within the id format', () => {
    const max = 2 ** 48 - 1;
    const id = newId(max);
    assert.equal(decodeTime(id), max);
    assert.equal(id.slice(0, 10), '7ZZZZZZZZZ');
    assert.ok(isId(id));
  });
});

describe('isId', () => {
  test('accepts ids and refuses anything else', () => {
    assert.ok(isId('01ARZ3NDEKTSV4RRFFQ69G5FAV'));
    for (const bad of [
      '',
      '01ARZ3NDEKTSV4RRFFQ69G5FA', // 25
      '01ARZ3NDEKTSV4RRFFQ69G5FAVV', // 27
      '01arz3ndektsv4rrffq69g5fav', // lower case
      '01ARZ3NDEKTSV4RRFFQ69G5FAI', // I
      '01ARZ3NDEKTSV4RRFFQ69G5FAL', // L
      '01ARZ3NDEKTSV4RRFFQ69G5FAO', // O
      '01ARZ3NDEKTSV4RRFFQ69G5FAU', // U
      '81ARZ3NDEKTSV4RRFFQ69G5FAV', // time over 48 bits
      ' 01ARZ3NDEKTSV4RRFFQ69G5FAV',
      '01ARZ3NDEKTSV4RRFFQ69G5FAV\n',
      '../01ARZ3NDEKTSV4RRFFQ69G5F',
    ]) {
      assert.equal(isId(bad), false, JSON.stringify(bad));
    }
  });
});
