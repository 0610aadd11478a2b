/** The web app's sign-in settings, and the pieces of its browser code that need no DOM. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { webConfigSchema } from '../../src/http/contract.js';
import { readWebConfig, signInConnectSources } from '../../src/web/sign-in.js';
import { nextLink } from '../../web/api.js';

const COGNITO = {
  OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Abc',
  OIDC_CLIENT_ID: 'client123',
  OIDC_AUTHORIZATION_ENDPOINT: 'https://todo-api-dev-1.auth.eu-west-1.amazoncognito.com/oauth2/authorize',
  OIDC_TOKEN_ENDPOINT: 'https://todo-api-dev-1.auth.eu-west-1.amazoncognito.com/oauth2/token',
  OIDC_LOGOUT_ENDPOINT: 'https://todo-api-dev-1.auth.eu-west-1.amazoncognito.com/logout',
};

describe('the web page: sign-in settings (GET /config.json)', () => {
  test('auth none: no sign-in, whatever else is set', () => {
    assert.deepEqual(readWebConfig('none', COGNITO), { auth: 'none' });
  });

  test("cognito: the hosted UI's endpoints, as given", () => {
    const config = readWebConfig('cognito', COGNITO);
    assert.deepEqual(config, {
      auth: 'cognito',
      issuer: COGNITO.OIDC_ISSUER,
      clientId: 'client123',
      endpoints: {
        authorization: COGNITO.OIDC_AUTHORIZATION_ENDPOINT,
        token: COGNITO.OIDC_TOKEN_ENDPOINT,
        logout: COGNITO.OIDC_LOGOUT_ENDPOINT,
      },
    });
    assert.equal(webConfigSchema.safeParse(config).success, true);
    assert.deepEqual(signInConnectSources(config), ['https://todo-api-dev-1.auth.eu-west-1.amazoncognito.com']);
  });

  test("oidc: the issuer's discovery document, or the one OIDC_DISCOVERY_URL names", () => {
    const env = { OIDC_ISSUER: 'https://login.example.com/tenant/', OIDC_CLIENT_ID: 'todo-web' };
    const discovered = readWebConfig('oidc', env);
    assert.deepEqual(discovered, {
      auth: 'oidc',
      issuer: 'https://login.example.com/tenant/',
      clientId: 'todo-web',
      discovery: 'https://login.example.com/tenant/.well-known/openid-configuration',
    });
    // The document may name a token endpoint on any https origin.
    assert.deepEqual(signInConnectSources(discovered), ['https:']);
    const local = readWebConfig('oidc', { ...env, OIDC_DISCOVERY_URL: '/.well-known/openid-configuration' });
    assert.equal(local.auth === 'oidc' && local.discovery, '/.well-known/openid-configuration');
    // Relative: the page's own origin, which 'self' already allows.
    assert.deepEqual(signInConnectSources(local), []);
    assert.equal(webConfigSchema.safeParse(local).success, true);
  });

  test('a missing or malformed setting stops the function, naming it', () => {
    assert.throws(() => readWebConfig('cognito', {}), /Missing environment variables: OIDC_ISSUER, OIDC_CLIENT_ID/);
    assert.throws(
      () => readWebConfig('cognito', { ...COGNITO, OIDC_TOKEN_ENDPOINT: undefined }),
      /OIDC_AUTHORIZATION_ENDPOINT and OIDC_TOKEN_ENDPOINT go together/,
    );
    assert.throws(
      () => readWebConfig('cognito', { ...COGNITO, OIDC_TOKEN_ENDPOINT: '/oauth2/token' }),
      /OIDC_TOKEN_ENDPOINT must be an absolute URL/,
    );
  });
});

describe("the page's list: following Link (RFC 8288)", () => {
  test('finds rel="next" among other links and parameters, and nothing else', () => {
    assert.equal(nextLink('<https://a.test/todos?cursor=x>; rel="next"'), 'https://a.test/todos?cursor=x');
    assert.equal(
      nextLink('<https://a.test/p1>; rel="prev", <https://a.test/p3>; title="more"; rel="next"'),
      'https://a.test/p3',
    );
    assert.equal(nextLink('<https://a.test/p3>; rel="prefetch next"'), 'https://a.test/p3');
    assert.equal(nextLink('<https://a.test/p3>; rel=next'), 'https://a.test/p3');
    assert.equal(nextLink('<https://a.test/p1>; rel="prev"'), undefined);
    assert.equal(nextLink('<https://a.test/p1>; rel="nextish"'), undefined);
    assert.equal(nextLink(null), undefined);
    assert.equal(nextLink(''), undefined);
  });
});
