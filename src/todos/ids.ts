import { randomBytes } from 'node:crypto';

// Crockford's base32, as ULID specifies.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
const ULID_PATTERN = /^[0-7][0-9A-HJKMNP-TV-Z]{25}$/;

let lastTime = -1;
let lastRandom = new Uint8Array(10);

/**
 * A ULID: 48 bits of milliseconds then 80 random bits, 26 characters that sort
 * as they were created. Within one process and one millisecond the random part
 * is incremented, so ids made here are strictly increasing.
 */
export function newId(now: number = Date.now()): string {
  if (now <= lastTime) {
    now = lastTime;
    increment(lastRandom);
  } else {
    lastTime = now;
    lastRandom = new Uint8Array(randomBytes(10));
  }
  return encodeTime(now) + encodeRandom(lastRandom);
}

/** Whether `id` has the form of an id this service issues. */
export function isId(id: string): boolean {
  return ULID_PATTERN.test(id);
}

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Uint8Array): string {
  // 80 bits = 16 groups of 5 bits, most significant first.
  let out = '';
  let buffer = 0;
  let bits = 0;
  for (const byte of bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += ALPHABET[(buffer >> bits) & 31];
    }
    buffer &= (1 << bits) - 1;
  }
  return out;
}

function increment(bytes: Uint8Array): void {
  for (let i = bytes.length - 1; i >= 0; i--) {
    if (bytes[i] === 255) {
      bytes[i] = 0;
    } else {
      bytes[i] = (bytes[i] ?? 0) + 1;
      return;
    }
  }
  throw new Error('ULID random part overflowed within one millisecond');
}
