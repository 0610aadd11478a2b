import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import aws4 from 'aws4';
import { type Credentials, signRequest } from '../../src/store/sigv4.js';

interface Case {
  name: string;
  host: string;
  region: string;
  target: string;
  body: string;
  credentials: Credentials;
  date: Date;
}

const KEYS: Credentials = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
};
const TEMPORARY: Credentials = {
  accessKeyId: 'ASIAEXAMPLE',
  secretAccessKey: 'another/secret+key',
  sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE//////////wEaCXVzLWVhc3QtMSJHMEUCIQD+token==',
};

const CASES: Case[] = [
  {
    name: 'PutItem in us-east-1',
    host: 'dynamodb.us-east-1.amazonaws.com',
    region: 'us-east-1',
    target: 'DynamoDB_20120810.PutItem',
    body: JSON.stringify({ TableName: 't', Item: { owner: { S: 'a' }, id: { S: 'b' }, title: { S: 'ü 😀' } } }),
    credentials: KEYS,
    date: new Date('2026-11-27T13:16:46.123Z'),
  },
  {
    name: 'Query in eu-west-3 with a session token',
    host: 'dynamodb.eu-west-3.amazonaws.com',
    region: 'eu-west-3',
    target: 'DynamoDB_20120810.Query',
    body: JSON.stringify({ TableName: 't', KeyConditionExpression: '#owner = :owner', Limit: 101 }),
    credentials: TEMPORARY,
    date: new Date('2026-01-01T00:00:00.000Z'),
  },
  {
    name: 'GetItem against a local endpoint with a port, at the last second of a day',
    host: '127.0.0.1:8000',
    region: 'us-east-1',
    target: 'DynamoDB_20120810.GetItem',
    body: '{}',
    credentials: KEYS,
    date: new Date('2024-02-29T23:59:59.999Z'),
  },
  {
    name: 'BatchWriteItem with an empty body and a token, the next day (new signing key)',
    host: 'dynamodb.ap-southeast-2.amazonaws.com',
    region: 'ap-southeast-2',
    target: 'DynamoDB_20120810.BatchWriteItem',
    body: '',
    credentials: TEMPORARY,
    date: new Date('2024-03-01T00:00:00.000Z'),
  },
  {
    name: 'UpdateItem with a body of several kilobytes',
    host: 'dynamodb.us-west-2.amazonaws.com',
    region: 'us-west-2',
    target: 'DynamoDB_20120810.UpdateItem',
    body: JSON.stringify({ title: 'x'.repeat(5000), spaces: '  a   b  ' }),
    credentials: KEYS,
    date: new Date('2030-06-15T08:09:10.000Z'),
  },
];

const amzDate = (date: Date) => date.toISOString().replace(/[:-]|\.\d{3}/g, '');

function ours(c: Case): Record<string, string> {
  return signRequest({
    method: 'POST',
    host: c.host,
    path: '/',
    headers: { 'content-type': 'application/x-amz-json-1.0', 'x-amz-target': c.target },
    body: c.body,
    region: c.region,
    service: 'dynamodb',
    credentials: c.credentials,
    date: c.date,
  });
}

/** The reference: aws4 signing the same header set (it would also sign content-length, which we do not send signed). */
function reference(c: Case): { authorization: string; headers: Record<string, string> } {
  const request: aws4.Request & { extraHeadersToIgnore: Record<string, boolean> } = {
    method: 'POST',
    host: c.host,
    path: '/',
    service: 'dynamodb',
    region: c.region,
    body: c.body,
    headers: {
      Host: c.host,
      'Content-Type': 'application/x-amz-json-1.0',
      'X-Amz-Target': c.target,
      'X-Amz-Date': amzDate(c.date),
    },
    extraHeadersToIgnore: { 'content-length': true },
  };
  const signed = aws4.sign(request, c.credentials);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers ?? {})) headers[name.toLowerCase()] = String(value);
  const authorization = headers.authorization;
  assert.ok(authorization, 'aws4 returned no Authorization header');
  return { authorization, headers };
}

describe('signRequest', () => {
  for (const c of CASES) {
    test(`matches aws4: ${c.name}`, () => {
      const expected = reference(c);
      const actual = ours(c);
      assert.equal(actual.authorization, expected.authorization);
      // The headers that were signed are the ones to send.
      assert.equal(actual.host, c.host);
      assert.equal(actual['x-amz-date'], amzDate(c.date));
      assert.equal(actual['x-amz-security-token'], c.credentials.sessionToken);
      assert.equal(actual['x-amz-target'], c.target);
      for (const name of ['x-amz-date', 'x-amz-security-token', 'x-amz-target', 'content-type']) {
        assert.equal(actual[name], expected.headers[name], name);
      }
    });
  }

  test('signs exactly the given headers plus host, x-amz-date and the session token', () => {
    const [plain, temporary] = [CASES[0], CASES[1]];
    assert.ok(plain && temporary);
    assert.match(
      ours(plain).authorization ?? '',
      /^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE\/20261127\/us-east-1\/dynamodb\/aws4_request, SignedHeaders=content-type;host;x-amz-date;x-amz-target, Signature=[0-9a-f]{64}$/,
    );
    assert.match(
      ours(temporary).authorization ?? '',
      /, SignedHeaders=content-type;host;x-amz-date;x-amz-security-token;x-amz-target, /,
    );
    assert.equal(Object.hasOwn(ours(plain), 'x-amz-security-token'), false);
  });

  test('the signature depends on body, date, region, secret and token', () => {
    const base = CASES[0];
    assert.ok(base);
    const signature = (c: Case) => /Signature=([0-9a-f]{64})$/.exec(ours(c).authorization ?? '')?.[1];
    const original = signature(base);
    assert.ok(original);
    const variants: Case[] = [
      { ...base, body: `${base.body} ` },
      { ...base, date: new Date(base.date.getTime() + 1000) },
      { ...base, region: 'us-east-2' },
      { ...base, credentials: { ...KEYS, secretAccessKey: `${KEYS.secretAccessKey}x` } },
      { ...base, credentials: { ...KEYS, sessionToken: 't' } },
      { ...base, target: 'DynamoDB_20120810.DeleteItem' },
    ];
    for (const variant of variants) assert.notEqual(signature(variant), original);
    // Same input, same signature (also after the signing key cache moved to another day and back).
    assert.equal(signature(base), original);
  });

  test('header names given in any case are signed lower-cased, like aws4', () => {
    const c = CASES[0];
    assert.ok(c);
    const mixed = signRequest({
      method: 'POST',
      host: c.host,
      path: '/',
      headers: { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': c.target },
      body: c.body,
      region: c.region,
      service: 'dynamodb',
      credentials: c.credentials,
      date: c.date,
    });
    assert.equal(mixed.authorization, reference(c).authorization);
  });
});
