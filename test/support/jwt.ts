/**
 * Hand-made JWTs for the authorizer's tests: any header, any payload, any signature, so that forgeries (alg none,
 * HS256 keyed with the public key, a payload changed after signing…) can be built that no JWT library would make.
 */
import { createHmac, type KeyObject, sign } from 'node:crypto';

export const b64url = (value: string | Buffer): string => Buffer.from(value).toString('base64url');

/** Makes the signature of a token's `header.payload` input (bytes, or the base64url text itself). */
export type Signer = (input: string) => Buffer | string;

/** A compact JWS put together by hand. */
export function compact(header: object, payload: object, signature: Signer): string {
  const input = `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(payload))}`;
  const sig = signature(input);
  return `${input}.${typeof sig === 'string' ? sig : sig.toString('base64url')}`;
}

/** No signature at all (what `alg: none` promises). */
export const unsigned: Signer = () => '';

/** An HS256 (HMAC-SHA256) signature keyed with `secret`: the classic forgery when the secret is a public key. */
export const hs256 =
  (secret: string | Buffer): Signer =>
  (input) =>
    createHmac('sha256', secret).update(input).digest();

/** An RS256 (RSASSA-PKCS1-v1_5 with SHA-256) signature by `privateKey`. */
export const rs256 =
  (privateKey: KeyObject): Signer =>
  (input) =>
    sign('sha256', Buffer.from(input), privateKey);

/** `token` with claims changed in its payload after signing: same header, same (now wrong) signature. */
export function withClaimsChanged(token: string, changes: Record<string, unknown>): string {
  const [header, payload, signature] = token.split('.');
  if (header === undefined || payload === undefined || signature === undefined) {
    throw new Error('a compact JWS has three parts');
  }
  const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as Record<string, unknown>;
  return `${header}.${b64url(JSON.stringify({ ...claims, ...changes }))}.${signature}`;
}
