import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ConfigError, readConfig } from '../../src/config.js';

const BASE = {
  TABLE_NAME: 'todo-api-dev-todos',
  AUTH_MODE: 'cognito',
  AWS_REGION: 'eu-west-1',
  AWS_ACCESS_KEY_ID: 'AKID',
  AWS_SECRET_ACCESS_KEY: 'secret',
};

const configError = (pattern: RegExp) => (error: unknown) => {
  assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
  assert.match(error.message, pattern);
  return true;
};

describe('readConfig', () => {
  test('reads the minimal environment', () => {
    assert.deepEqual(readConfig(BASE), {
      tableName: 'todo-api-dev-todos',
      authMode: 'cognito',
      region: 'eu-west-1',
      requireIfMatch: false,
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'secret' },
    });
  });

  test('REQUIRE_IF_MATCH is true or false (unset or empty: false); anything else stops the function', () => {
    assert.equal(readConfig({ ...BASE, REQUIRE_IF_MATCH: 'true' }).requireIfMatch, true);
    for (const off of ['false', '', undefined]) {
      assert.equal(readConfig({ ...BASE, REQUIRE_IF_MATCH: off }).requireIfMatch, false, String(off));
    }
    for (const bad of ['TRUE', 'yes', '1', 'on']) {
      assert.throws(
        () => readConfig({ ...BASE, REQUIRE_IF_MATCH: bad }),
        configError(/^REQUIRE_IF_MATCH must be true or false/),
        bad,
      );
    }
  });

  test('lists every missing variable', () => {
    assert.throws(
      () => readConfig({}),
      configError(
        /^Missing environment variables: TABLE_NAME, AUTH_MODE, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY$/,
      ),
    );
    assert.throws(
      () => readConfig({ ...BASE, TABLE_NAME: undefined, AWS_SECRET_ACCESS_KEY: undefined }),
      configError(/^Missing environment variables: TABLE_NAME, AWS_SECRET_ACCESS_KEY$/),
    );
  });

  test('AUTH_MODE is one of cognito, oidc, none', () => {
    for (const mode of ['cognito', 'oidc', 'none'])
      assert.equal(readConfig({ ...BASE, AUTH_MODE: mode }).authMode, mode);
    for (const mode of ['jwt', 'None', 'COGNITO', 'off']) {
      assert.throws(() => readConfig({ ...BASE, AUTH_MODE: mode }), configError(/^AUTH_MODE must be one of/));
    }
  });

  test('an empty variable counts as missing', () => {
    assert.throws(() => readConfig({ ...BASE, AWS_REGION: '' }), configError(/: AWS_REGION$/));
  });

  test('the session token is optional', () => {
    assert.equal(Object.hasOwn(readConfig(BASE).credentials, 'sessionToken'), false);
    assert.equal(Object.hasOwn(readConfig({ ...BASE, AWS_SESSION_TOKEN: '' }).credentials, 'sessionToken'), false);
    assert.deepEqual(readConfig({ ...BASE, AWS_SESSION_TOKEN: 'token' }).credentials, {
      accessKeyId: 'AKID',
      secretAccessKey: 'secret',
      sessionToken: 'token',
    });
  });

  test('PUBLIC_BASE_URL is kept without trailing slashes', () => {
    assert.equal(
      readConfig({ ...BASE, PUBLIC_BASE_URL: 'https://todo.example.com' }).publicBaseUrl,
      'https://todo.example.com',
    );
    assert.equal(
      readConfig({ ...BASE, PUBLIC_BASE_URL: 'https://todo.example.com/' }).publicBaseUrl,
      'https://todo.example.com',
    );
    assert.equal(
      readConfig({ ...BASE, PUBLIC_BASE_URL: 'http://localhost:3000/api///' }).publicBaseUrl,
      'http://localhost:3000/api',
    );
  });

  test('an empty PUBLIC_BASE_URL (the serverless.yml default) means none', () => {
    assert.equal(Object.hasOwn(readConfig({ ...BASE, PUBLIC_BASE_URL: '' }), 'publicBaseUrl'), false);
  });

  test('a PUBLIC_BASE_URL that is not an absolute http(s) URL is refused', () => {
    for (const value of [
      'todo.example.com',
      '/api',
      'not a url',
      'ftp://todo.example.com',
      'javascript:alert(1)',
      'https://todo.example.com/?a=1',
      'https://todo.example.com/#top',
      'https://user:pw@todo.example.com',
    ]) {
      assert.throws(() => readConfig({ ...BASE, PUBLIC_BASE_URL: value }), configError(/^PUBLIC_BASE_URL must be/));
    }
  });

  test('the DynamoDB endpoint comes from AWS_ENDPOINT_URL_DYNAMODB, else AWS_ENDPOINT_URL', () => {
    assert.equal(
      readConfig({ ...BASE, AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000/' }).dynamodbEndpoint,
      'http://127.0.0.1:8000',
    );
    assert.equal(
      readConfig({ ...BASE, AWS_ENDPOINT_URL: 'http://localhost:4566' }).dynamodbEndpoint,
      'http://localhost:4566',
    );
    assert.equal(
      readConfig({
        ...BASE,
        AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:8000',
        AWS_ENDPOINT_URL: 'http://localhost:4566',
      }).dynamodbEndpoint,
      'http://127.0.0.1:8000',
    );
    assert.equal(Object.hasOwn(readConfig(BASE), 'dynamodbEndpoint'), false);
  });

  test('a bad endpoint is refused', () => {
    for (const value of ['localhost:8000', 'dynamodb', 'file:///etc/passwd', 'ws://localhost:8000']) {
      assert.throws(() => readConfig({ ...BASE, AWS_ENDPOINT_URL_DYNAMODB: value }), configError(/must be/), value);
    }
  });
});
