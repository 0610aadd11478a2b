/**
 * The web page's side of the packaged stack: its routes in every auth mode, how it signs in (the Cognito hosted UI
 * and the app client's code flow with auth=cognito, another issuer's settings with auth=oidc, nothing with
 * auth=none), where Cognito may send a person back to (the page's URL, publicBaseUrl's, or callbackUrls), and the
 * stage parameters and stage names refused before packaging. Each configuration is packaged once, for all its tests.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import { after, before, describe, test } from 'node:test';
import { loadLocalModel } from '../../local/server.js';
import { cfnSpec, validateTemplate } from '../../tools/cfn-spec.js';
import {
  type CfnResource,
  type CfnTemplate,
  type Packaged,
  packageService,
  resourcesOfType,
} from '../../tools/package.js';
import { conditionHolds, deployed as deployedValue, type Json } from '../support/cfn-template.js';
import { declaredFunctions } from '../support/handlers.js';

const ISSUER = 'https://login.example.com';
const AUDIENCE = 'my-client';
const CALLBACK_URLS = ['https://todo.example.com/', 'https://www.example.com/app/'];
const PUBLIC_BASE_URL = 'https://todos.example.com/v1';

/** The configurations packaged, by name: each auth mode, and Cognito with each way of naming the page's URL. */
const CONFIGURATIONS = {
  cognito: [],
  callbackUrls: [`--param=callbackUrls=${CALLBACK_URLS.join(',')}`],
  publicBaseUrl: [`--param=publicBaseUrl=${PUBLIC_BASE_URL}`],
  oidc: ['--param=auth=oidc', `--param=jwtIssuer=${ISSUER}`, `--param=jwtAudience=${AUDIENCE}`],
  none: ['--param=auth=none'],
} satisfies Record<string, string[]>;
type Configuration = keyof typeof CONFIGURATIONS;
const MODES = ['cognito', 'oidc', 'none'] as const;

/** What a deploy would fill in for the names a template leaves to CloudFormation (`Ref`, `${…}` in `Fn::Sub`). */
const DEPLOYED: Record<string, string> = {
  'AWS::AccountId': '123456789012',
  'AWS::Region': 'eu-west-1',
  'AWS::URLSuffix': 'amazonaws.com',
  HttpApi: 'abc123',
  UserPool: 'eu-west-1_Example',
  UserPoolClient: 'client-id-1',
  UserPoolDomain: 'todo-api-test-123456789012',
};
const EXECUTE_API_URL = 'https://abc123.execute-api.eu-west-1.amazonaws.com';
const HOSTED_UI = 'https://todo-api-test-123456789012.auth.eu-west-1.amazoncognito.com';

/** `value` as a deploy would make it, with the names of DEPLOYED. */
const deployed = (template: CfnTemplate, value: Json) => deployedValue(template, value, DEPLOYED);

const props = (resource: CfnResource | undefined): Record<string, Json> => {
  assert.ok(resource, 'resource exists');
  return resource.Properties as Record<string, Json>;
};
/** A function's environment variables, by function name. */
const environment = (template: CfnTemplate, name: string): Record<string, Json> => {
  const logicalId = `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`;
  return (props(template.Resources[logicalId]).Environment as { Variables: Record<string, Json> }).Variables;
};
/** An output of the template: its description, its condition and its value. */
const output = (template: CfnTemplate, name: string): { Description?: string; Condition?: string; Value: Json } => {
  const found = template.Outputs?.[name] as { Description?: string; Condition?: string; Value: Json } | undefined;
  assert.ok(found, `output ${name} exists`);
  return found;
};
const oidcVariables = (variables: Record<string, Json>) =>
  Object.fromEntries(Object.entries(variables).filter(([name]) => name.startsWith('OIDC_')));
const routeKeys = (template: CfnTemplate) =>
  resourcesOfType(template, 'AWS::ApiGatewayV2::Route').map(([, route]) => String(route.Properties.RouteKey));

const WEB_ROUTES = ['GET /', 'GET /app/{asset}', 'GET /config.json'];
/** The functions that tell the page how to sign in: the page itself (its CSP) and GET /config.json. */
const SIGN_IN_FUNCTIONS = ['apiIndex', 'webConfig'];
const FUNCTIONS = declaredFunctions().map((fn) => fn.name);

describe('the web page, packaged', () => {
  const packaged = new Map<Configuration, Packaged>();
  const template = (name: Configuration): CfnTemplate => {
    const found = packaged.get(name);
    assert.ok(found, `${name} was packaged`);
    return found.template;
  };

  before(async () => {
    const results = await Promise.all(
      Object.entries(CONFIGURATIONS).map(async ([name, args]) => [name, await packageService('test', args)] as const),
    );
    for (const [name, result] of results) packaged.set(name as Configuration, result);
  });

  after(async () => {
    await Promise.all([...packaged.values()].map((result) => result.remove()));
  });

  test('every configuration: no problem against the CloudFormation specification', () => {
    cfnSpec();
    for (const name of Object.keys(CONFIGURATIONS) as Configuration[]) {
      const problems = validateTemplate(template(name) as unknown as Parameters<typeof validateTemplate>[0]);
      assert.deepEqual(problems, [], `${name}: ${problems.map((p) => `${p.path}: ${p.message}`).join('\n')}`);
    }
  });

  for (const mode of MODES) {
    test(`${mode}: the page, its files and its sign-in settings are public routes, and no local-only route is deployed`, () => {
      const routes = resourcesOfType(template(mode), 'AWS::ApiGatewayV2::Route');
      const keys = routeKeys(template(mode));
      for (const key of WEB_ROUTES) assert.ok(keys.includes(key), `${mode} routes ${key}`);
      for (const [, route] of routes) {
        const key = String(route.Properties.RouteKey);
        // npm start's own issuer serves these; on AWS the issuer (Cognito or another) is elsewhere.
        assert.doesNotMatch(key, /^\S+ \/oauth2\//, `${mode}: ${key}`);
        assert.doesNotMatch(key, /^\S+ \/\.well-known\//, `${mode}: ${key}`);
        if (WEB_ROUTES.includes(key)) assert.equal(route.Properties.AuthorizationType, undefined, `${mode}: ${key}`);
      }
      for (const name of ['WebAssetLambdaFunction', 'WebConfigLambdaFunction']) {
        assert.deepEqual(props(template(mode).Resources[name]).Role, { 'Fn::GetAtt': ['PublicFunctionRole', 'Arn'] });
      }
    });
  }

  describe('auth=cognito', () => {
    test("the hosted UI: a domain of the stack's pool, unique per account and stage, in cognito mode only", () => {
      const [[id, domain], ...others] = resourcesOfType(template('cognito'), 'AWS::Cognito::UserPoolDomain') as [
        [string, CfnResource],
      ];
      assert.equal(others.length, 0);
      assert.equal(id, 'UserPoolDomain');
      assert.equal(domain.Condition, 'IsCognito');
      assert.equal(conditionHolds(template('cognito'), 'IsCognito'), true);
      assert.deepEqual(domain.Properties, {
        UserPoolId: { Ref: 'UserPool' },
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string
        Domain: { 'Fn::Sub': 'todo-api-test-${AWS::AccountId}' },
        ManagedLoginVersion: 1,
      });
      for (const mode of ['oidc', 'none'] as const) {
        assert.equal(template(mode).Resources.UserPoolDomain?.Condition, 'IsCognito', mode);
        assert.equal(conditionHolds(template(mode), 'IsCognito'), false, mode);
      }
    });

    test("the app client: the code flow (PKCE, no secret) with OpenID scopes, Cognito's own users", () => {
      const client = deployed(template('cognito'), props(template('cognito').Resources.UserPoolClient)) as Record<
        string,
        Json
      >;
      assert.equal(client.AllowedOAuthFlowsUserPoolClient, true);
      assert.deepEqual(client.AllowedOAuthFlows, ['code']);
      assert.deepEqual(client.AllowedOAuthScopes, ['openid', 'email', 'profile']);
      assert.deepEqual(client.SupportedIdentityProviders, ['COGNITO']);
      assert.equal(client.GenerateSecret, false);
      // The client stays what it was: kept on removal, and still usable from the command line.
      assert.equal(template('cognito').Resources.UserPoolClient?.DeletionPolicy, 'Retain');
      assert.ok((client.ExplicitAuthFlows as Json[]).includes('ALLOW_USER_PASSWORD_AUTH'));
    });

    test("Cognito sends people back to the page at the API's own URL: osls's HttpApi, with /", () => {
      const t = template('cognito');
      assert.equal(t.Resources.HttpApi?.Type, 'AWS::ApiGatewayV2::Api');
      // osls's own output names the API's URL; the page is at its root.
      const apiUrl = deployed(t, output(t, 'HttpApiUrl').Value);
      assert.equal(apiUrl, EXECUTE_API_URL);
      const client = deployed(t, props(t.Resources.UserPoolClient)) as Record<string, Json>;
      assert.deepEqual(client.CallbackURLs, [`${apiUrl}/`]);
      assert.deepEqual(client.LogoutURLs, [`${apiUrl}/`]);
    });

    test('with callbackUrls, exactly those; with publicBaseUrl, its root', () => {
      for (const [name, urls] of [
        ['callbackUrls', CALLBACK_URLS],
        ['publicBaseUrl', [`${PUBLIC_BASE_URL}/`]],
      ] as const) {
        const client = deployed(template(name), props(template(name).Resources.UserPoolClient)) as Record<string, Json>;
        assert.deepEqual(client.CallbackURLs, urls, name);
        assert.deepEqual(client.LogoutURLs, urls, name);
        assert.deepEqual(client.AllowedOAuthFlows, ['code'], name);
      }
    });

    test('the page learns the issuer, the client and the hosted UI endpoints, all from the stack', () => {
      for (const name of SIGN_IN_FUNCTIONS) {
        const variables = oidcVariables(environment(template('cognito'), name));
        assert.deepEqual(variables.OIDC_CLIENT_ID, { Ref: 'UserPoolClient' }, name);
        assert.deepEqual(deployed(template('cognito'), variables), {
          // The tokens' iss, as the authorizer trusts it.
          OIDC_ISSUER: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
          OIDC_CLIENT_ID: 'client-id-1',
          OIDC_AUTHORIZATION_ENDPOINT: `${HOSTED_UI}/oauth2/authorize`,
          OIDC_TOKEN_ENDPOINT: `${HOSTED_UI}/oauth2/token`,
          OIDC_LOGOUT_ENDPOINT: `${HOSTED_UI}/logout`,
        });
      }
      const authorizer = props(template('cognito').Resources.HttpApiAuthorizerJwt).JwtConfiguration as Record<
        string,
        Json
      >;
      assert.equal(
        deployed(template('cognito'), authorizer.Issuer as Json),
        'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
      );
    });

    test('the outputs: the page, and the hosted UI', () => {
      const t = template('cognito');
      assert.equal(deployed(t, output(t, 'WebAppUrl').Value), `${EXECUTE_API_URL}/`);
      assert.equal(output(t, 'SignInDomain').Condition, 'IsCognito');
      assert.equal(deployed(t, output(t, 'SignInDomain').Value), HOSTED_UI);
      for (const name of ['WebAppUrl', 'SignInDomain']) assert.ok(output(t, name).Description, `${name} is described`);
      const url = (name: Configuration) => deployed(template(name), output(template(name), 'WebAppUrl').Value);
      assert.equal(url('callbackUrls'), CALLBACK_URLS[0]);
      assert.equal(url('publicBaseUrl'), `${PUBLIC_BASE_URL}/`);
    });
  });

  describe('auth=oidc and auth=none', () => {
    test("oidc: the page signs in with the trusted issuer and the authorizer's audience as client id", () => {
      for (const name of SIGN_IN_FUNCTIONS) {
        assert.deepEqual(oidcVariables(environment(template('oidc'), name)), {
          OIDC_ISSUER: ISSUER,
          OIDC_CLIENT_ID: AUDIENCE,
        });
      }
      assert.deepEqual(props(template('oidc').Resources.HttpApiAuthorizerJwt).JwtConfiguration, {
        Audience: [AUDIENCE],
        Issuer: ISSUER,
      });
    });

    test('none: no sign-in setting at all', () => {
      for (const name of FUNCTIONS) assert.deepEqual(oidcVariables(environment(template('none'), name)), {}, name);
    });

    test('only the page and its settings carry the sign-in settings', () => {
      for (const mode of ['cognito', 'oidc'] as const) {
        for (const name of FUNCTIONS) {
          const count = Object.keys(oidcVariables(environment(template(mode), name))).length;
          assert.equal(count > 0, SIGN_IN_FUNCTIONS.includes(name), `${mode}: ${name}`);
        }
      }
    });

    test('the app client allows no OAuth flow and no redirect where the API trusts no Cognito token', () => {
      for (const mode of ['oidc', 'none'] as const) {
        const client = deployed(template(mode), props(template(mode).Resources.UserPoolClient)) as Record<string, Json>;
        assert.equal(client.AllowedOAuthFlowsUserPoolClient, false, mode);
        for (const property of [
          'AllowedOAuthFlows',
          'AllowedOAuthScopes',
          'SupportedIdentityProviders',
          'CallbackURLs',
          'LogoutURLs',
        ]) {
          assert.equal(client[property], undefined, `${mode}: ${property}`);
        }
        assert.equal(client.GenerateSecret, false, mode);
        // No hosted UI, so no output naming it.
        assert.equal(output(template(mode), 'SignInDomain').Condition, 'IsCognito');
        const page = deployed(template(mode), output(template(mode), 'WebAppUrl').Value);
        assert.equal(page, `${EXECUTE_API_URL}/`, mode);
      }
    });
  });
});

describe('the sign-in parameters and the stage name, checked before packaging', () => {
  test('a bad callbackUrls stops osls with one line naming the parameter', async () => {
    const refusals = ['http://example.com', 'not-a-url', 'https://todo.example.com/#signed-in'].map((value) =>
      assert.rejects(
        packageService('test', [`--param=callbackUrls=${value}`]),
        (error: { code?: unknown; stdout?: string }) => {
          assert.equal(typeof error.code, 'number', value);
          assert.notEqual(error.code, 0, value);
          const lines = String(error.stdout).split('\n');
          assert.equal(
            lines[lines.indexOf('Error:') + 1],
            `Parameter "callbackUrls" must be empty or at most 100 absolute https URLs (http only for localhost) without fragment, separated by commas without spaces, such as https://todos.example.com/, not ${JSON.stringify(value)}.`,
          );
          return true;
        },
      ),
    );
    await Promise.all(refusals);
  });

  test('a stage that would make a sign-in domain Cognito refuses stops osls with one line (auth=cognito)', async () => {
    await assert.rejects(packageService('Prod'), (error: { code?: unknown; stdout?: string }) => {
      assert.notEqual(error.code, 0);
      const lines = String(error.stdout).split('\n');
      assert.equal(
        lines[lines.indexOf('Error:') + 1],
        'auth=cognito cannot make its sign-in domain: the prefix "todo-api-Prod-<account id>" (<service>-<stage>-<account id>) may hold only lowercase letters, digits and hyphens; choose another stage name (--stage).',
      );
      return true;
    });
  });

  describe('each rule (the plugin alone, as osls loads it)', () => {
    const StageParams = createRequire(import.meta.url)('../../plugins/params.cjs') as new (
      serverless: unknown,
      options: { stage?: string; param?: string[] },
    ) => unknown;
    const declared = loadLocalModel('none').resolved.params;
    /** The one-line problem osls would print for these options, or undefined when packaging would go on. */
    const check = (stage: string, params: Record<string, string>): string | undefined => {
      const serverless = {
        processedInput: {},
        configurationInput: { service: 'todo-api', params: declared },
        classes: { Error },
      };
      const param = Object.entries(params).map(([name, value]) => `${name}=${value}`);
      try {
        new StageParams(serverless, { stage, param });
        return undefined;
      } catch (error) {
        return (error as Error).message;
      }
    };

    test('callbackUrls: https URLs, and http for this machine, up to 100', () => {
      const many = (n: number) => Array.from({ length: n }, (_, i) => `https://todo.example.com/${i}`).join(',');
      for (const value of [
        CALLBACK_URLS.join(','),
        'http://localhost:3000/',
        'http://127.0.0.1:3000/,http://[::1]:3000/',
        'https://todo.example.com/?from=cognito',
        many(100),
      ]) {
        assert.equal(check('test', { callbackUrls: value }), undefined, value);
      }
      for (const value of [
        'http://todo.example.com/',
        'https://todo.example.com/, https://www.example.com/',
        'https://todo.example.com/,',
        'https://todo.example.com/#',
        'myapp://signed-in',
        many(101),
      ]) {
        assert.match(check('test', { callbackUrls: value }) ?? '', /^Parameter "callbackUrls" must be /, value);
      }
    });

    test('publicBaseUrl: a base the page\'s "/" can be appended to', () => {
      for (const value of ['https://todos.example.com', 'https://todos.example.com/v1', 'http://localhost:3000']) {
        assert.equal(check('test', { publicBaseUrl: value }), undefined, value);
      }
      for (const value of [
        'https://todos.example.com/',
        'https://todos.example.com/v1?x=1',
        'https://todos.example.com#top',
        'https://user:secret@todos.example.com',
      ]) {
        assert.equal(
          check('test', { publicBaseUrl: value }),
          `Parameter "publicBaseUrl" must be the API's public http(s) URL, without a trailing slash, query, fragment or credentials, not ${JSON.stringify(value)}.`,
        );
      }
    });

    test('auth=cognito with a plain-http publicBaseUrl needs callbackUrls (Cognito takes http only for localhost)', () => {
      const http = { publicBaseUrl: 'http://todos.example.com' };
      assert.match(check('test', http) ?? '', /^auth=cognito sends people back to .*"callbackUrls"\.$/);
      assert.equal(check('test', { ...http, callbackUrls: 'https://todos.example.com/' }), undefined);
      assert.equal(check('test', { ...http, auth: 'none' }), undefined);
    });

    test('the stage name: the domain prefix <service>-<stage>-<account id> must suit Cognito, with auth=cognito only', () => {
      // todo-api-<stage>-<12 digits>: 22 characters and the stage, at most 63.
      for (const stage of ['prod', 'dev-2', 'a'.repeat(41)]) assert.equal(check(stage, {}), undefined, stage);
      for (const [stage, reason] of [
        ['Prod', /may hold only lowercase letters, digits and hyphens/],
        ['qa_1', /may hold only lowercase letters, digits and hyphens/],
        ['a'.repeat(42), /is 64 characters long, over Cognito's 63/],
        ['laws', /contains "aws", which Cognito reserves/],
        ['amazonian', /contains "amazon", which Cognito reserves/],
        ['cognito-test', /contains "cognito", which Cognito reserves/],
      ] as const) {
        const found = check(stage, {}) ?? '';
        assert.match(found, /^auth=cognito cannot make its sign-in domain: the prefix "todo-api-/, stage);
        assert.match(found, reason, stage);
      }
      // Without Cognito, no domain is made.
      assert.equal(check('Prod', { auth: 'none' }), undefined);
    });
  });
});
