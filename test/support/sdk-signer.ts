/**
 * The AWS SDK's own SigV4 signer (a second, independent implementation), set up to sign DynamoDB requests as
 * src/store/sigv4.ts does, so that the tests can hold ours to it.
 */
import { createHash, createHmac } from 'node:crypto';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Credentials } from '../../src/store/sigv4.js';

type Data = string | ArrayBuffer | ArrayBufferView;
const bytes = (data: Data) =>
  typeof data === 'string'
    ? Buffer.from(data)
    : ArrayBuffer.isView(data)
      ? Buffer.from(data.buffer, data.byteOffset, data.byteLength)
      : Buffer.from(data);

/** node:crypto's SHA-256 in the shape the SDK's signer takes. */
class Sha256 {
  readonly #hash;
  constructor(secret?: Data) {
    this.#hash = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }
  update(data: Data): void {
    this.#hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return this.#hash.digest();
  }
}

/** The SDK's signer for DynamoDB in `region`, with node:crypto's hashes and no payload checksum header. */
export function sdkSigner(credentials: Credentials, region: string): SignatureV4 {
  return new SignatureV4({ credentials, region, service: 'dynamodb', sha256: Sha256, applyChecksum: false });
}
