/**
 * src/store/sigv4.ts against the AWS SDK's own SigV4 signer (@smithy/signature-v4), a second, independent
 * implementation: the same request at the same moment must carry the same Authorization, with and without a session
 * token, across days (the signing key is kept for a day) and across regions.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Credentials, createSigner } from '../../src/store/sigv4.js';
import { sdkSigner } from '../support/sdk-signer.js';

const CREDENTIALS: Credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const HEADERS = { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': 'DynamoDB_20120810.PutItem' };

/** What the SDK's signer makes the Authorization of the same request, signing the headers ours signed. */
async function sdkAuthorization(
  signed: Record<string, string>,
  body: string,
  credentials: Credentials,
  region: string,
  at: Date,
): Promise<string> {
  const { authorization: _, ...headers } = signed;
  const signer = sdkSigner(credentials, region);
  const [hostname, port] = (signed.host ?? '').split(':');
  const request = await signer.sign(
    {
      method: 'POST',
      protocol: 'https:',
      hostname: hostname ?? '',
      ...(port ? { port: Number(port) } : {}),
      path: '/',
      query: {},
      headers,
      body,
    },
    { signingDate: at },
  );
  return String(request.headers.authorization);
}

describe('createSigner', () => {
  test('signs as the AWS SDK does: every header, the body, the time, the scope', async () => {
    const sign = createSigner({ credentials: CREDENTIALS, region: 'eu-central-1', service: 'dynamodb' });
    const body = JSON.stringify({ TableName: 't', Item: { title: { S: 'ü 😀 "quoted"' } } });
    const at = new Date('2026-11-28T12:34:56.789Z');
    const signed = sign({ host: 'dynamodb.eu-central-1.amazonaws.com', headers: HEADERS, body }, at);
    assert.equal(signed['x-amz-date'], '20261128T123456Z');
    assert.equal(signed['content-length'], String(Buffer.byteLength(body)));
    assert.equal(signed.host, 'dynamodb.eu-central-1.amazonaws.com');
    assert.match(
      signed.authorization ?? '',
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261128\/eu-central-1\/dynamodb\/aws4_request, SignedHeaders=content-length;content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    assert.equal(signed.authorization, await sdkAuthorization(signed, body, CREDENTIALS, 'eu-central-1', at));
  });

  test('a session token is sent and signed', async () => {
    const credentials = { ...CREDENTIALS, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVz+token==' };
    const sign = createSigner({ credentials, region: 'us-east-1', service: 'dynamodb' });
    const at = new Date('2026-01-02T03:04:05Z');
    const signed = sign({ host: '127.0.0.1:8000', headers: HEADERS, body: '{}' }, at);
    assert.equal(signed['x-amz-security-token'], credentials.sessionToken);
    assert.match(signed.authorization ?? '', /SignedHeaders=[^,]*;x-amz-security-token;/);
    assert.equal(signed.authorization, await sdkAuthorization(signed, '{}', credentials, 'us-east-1', at));
  });

  test('header values are signed trimmed, with runs of spaces as one', async () => {
    const sign = createSigner({ credentials: CREDENTIALS, region: 'us-east-1', service: 'dynamodb' });
    const at = new Date('2026-05-06T07:08:09Z');
    const headers = { ...HEADERS, 'x-amz-meta-note': '  two   words \t' };
    const signed = sign({ host: 'dynamodb.us-east-1.amazonaws.com', headers, body: '{}' }, at);
    assert.equal(signed['x-amz-meta-note'], headers['x-amz-meta-note']);
    assert.equal(signed.authorization, await sdkAuthorization(signed, '{}', CREDENTIALS, 'us-east-1', at));
  });

  test('the signing key kept for a day is derived anew the next day', async () => {
    const sign = createSigner({ credentials: CREDENTIALS, region: 'us-east-1', service: 'dynamodb' });
    for (const iso of [
      '2026-03-01T23:59:59Z',
      '2026-03-01T00:00:00Z',
      '2026-03-02T00:00:00Z',
      '2026-03-01T12:00:00Z',
    ]) {
      const at = new Date(iso);
      const signed = sign({ host: 'dynamodb.us-east-1.amazonaws.com', headers: HEADERS, body: iso }, at);
      assert.equal(signed.authorization, await sdkAuthorization(signed, iso, CREDENTIALS, 'us-east-1', at), iso);
    }
  });
});
