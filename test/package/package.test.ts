/**
 * The artifact we would deploy: `osls package` with no AWS credentials, its
 * CloudFormation template, and the handlers taken out of the zips serving the
 * API against a real dynalite.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { splitHandler } from '../../plugins/handler-path.cjs';
import { webBundle } from '../../src/web/bundle.js';
import {
  type CfnResource,
  type Packaged,
  packageService,
  resourcesOfType,
  unpackFunction,
} from '../../tools/package.js';
import { readZip } from '../../tools/zip.js';
import { deployed, type Json } from '../support/cfn-template.js';
import type { EventInput } from '../support/events.js';
import { declaredFunctions, type Invoke, routeHandlers } from '../support/handlers.js';
import { PUBLIC_ROUTES } from '../support/public-routes.js';
import { startTestStore, type TestStore } from '../support/store.js';

const ALICE = '3f0c7a52-8b1e-4c2d-9a6f-1e2d3c4b5a69';
const ISSUER = 'https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Example';
/** What a deploy in us-east-1 would fill in for the stack's resources that the functions' environment names. */
const DEPLOYED = {
  'AWS::Region': 'us-east-1',
  UserPool: 'us-east-1_Example',
  UserPoolClient: 'client-1',
  UserPoolDomain: 'todo-api-test-123456789012',
};

const VIEWER_FILES = [
  'node_modules/swagger-ui-dist/swagger-ui-bundle.js',
  'node_modules/swagger-ui-dist/swagger-ui.css',
  'node_modules/swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt',
  'node_modules/swagger-ui-dist/LICENSE',
  'node_modules/swagger-ui-dist/NOTICE',
];

/** What serverless.yml declares: the template must hold exactly these functions and routes. */
const FUNCTIONS = declaredFunctions();

const props = <T>(resource: CfnResource | undefined): T => {
  assert.ok(resource, 'resource exists');
  return resource.Properties as T;
};

describe('osls package, with no AWS credentials', () => {
  let packaged: Packaged;

  before(async () => {
    packaged = await packageService('test');
  });

  after(async () => {
    await packaged?.remove();
  });

  test('declares one arm64 Node.js 22+ function per operation, each with its own zip', () => {
    const functions = resourcesOfType(packaged.template, 'AWS::Lambda::Function');
    assert.equal(functions.length, FUNCTIONS.length);
    for (const { name, handler } of FUNCTIONS) {
      const logicalId = `${name[0]?.toUpperCase()}${name.slice(1)}LambdaFunction`;
      const fn = props<{
        Runtime: string;
        Architectures: string[];
        Handler: string;
        Code: { S3Key: string };
        Environment: { Variables: Record<string, unknown> };
      }>(packaged.template.Resources[logicalId]);
      assert.match(fn.Runtime, /^nodejs(22|24)\.x$/);
      assert.deepEqual(fn.Architectures, ['arm64']);
      assert.equal(fn.Handler, handler);
      assert.ok(fn.Code.S3Key.endsWith(`/${name}.zip`), `${name} is deployed from its own zip`);
      // The table name comes from the stack, never a literal or an account id.
      assert.deepEqual(fn.Environment.Variables.TABLE_NAME, { Ref: 'TodosTable' });
    }
  });

  test('grants only the item-level DynamoDB actions used, on the table only', () => {
    const role = props<{ Policies: Array<{ PolicyDocument: { Statement: Array<Record<string, unknown>> } }> }>(
      packaged.template.Resources.IamRoleLambdaExecution,
    );
    const statements = role.Policies.flatMap((p) => p.PolicyDocument.Statement);
    const dynamo = statements.filter((s) => JSON.stringify(s.Action).includes('dynamodb:'));
    assert.equal(dynamo.length, 1);
    assert.deepEqual([...((dynamo[0]?.Action ?? []) as string[])].sort(), [
      'dynamodb:BatchWriteItem',
      'dynamodb:DeleteItem',
      'dynamodb:GetItem',
      'dynamodb:PutItem',
      'dynamodb:Query',
      'dynamodb:UpdateItem',
    ]);
    assert.deepEqual(dynamo[0]?.Resource, { 'Fn::GetAtt': ['TodosTable', 'Arn'] });
    for (const statement of statements) {
      assert.notEqual(statement.Resource, '*');
      assert.ok(!JSON.stringify(statement.Action).includes('*'), `no wildcard action in ${JSON.stringify(statement)}`);
    }
    assert.ok(!JSON.stringify(packaged.template).includes('AdministratorAccess'));
  });

  test('gives the public functions a role of their own that can only write logs: no data at all', () => {
    for (const fn of FUNCTIONS) {
      const logicalId = `${fn.name[0]?.toUpperCase()}${fn.name.slice(1)}LambdaFunction`;
      const { Role } = props<{ Role: unknown }>(packaged.template.Resources[logicalId]);
      const isPublic = fn.routes.every((route) => PUBLIC_ROUTES.includes(route.routeKey));
      assert.deepEqual(
        Role,
        { 'Fn::GetAtt': [isPublic ? 'PublicFunctionRole' : 'IamRoleLambdaExecution', 'Arn'] },
        fn.name,
      );
    }
    const role = props<{
      Policies: Array<{ PolicyDocument?: { Statement: Array<Record<string, unknown>> }; 'Fn::If'?: unknown }>;
    }>(packaged.template.Resources.PublicFunctionRole);
    // (Its other policy, X-Ray's, exists only with tracing on: see hardening.test.ts.)
    assert.deepEqual(
      role.Policies.filter((p) => !p.PolicyDocument).map((p) => (p['Fn::If'] as unknown[] | undefined)?.[0]),
      ['TracingEnabled'],
    );
    const statements = role.Policies.flatMap((p) => p.PolicyDocument?.Statement ?? []);
    assert.deepEqual(statements.flatMap((statement) => statement.Action as string[]).sort(), [
      'logs:CreateLogStream',
      'logs:PutLogEvents',
    ]);
    assert.ok(!JSON.stringify(role).includes('dynamodb'));
  });

  test('keeps the data: on-demand table with point-in-time recovery, retained on stack removal', () => {
    const table = packaged.template.Resources.TodosTable;
    assert.ok(table);
    assert.equal(table.Type, 'AWS::DynamoDB::Table');
    assert.equal(table.DeletionPolicy, 'Retain');
    assert.equal(table.UpdateReplacePolicy, 'Retain');
    const p = props<Record<string, unknown>>(table);
    assert.equal(p.TableName, 'todo-api-test-todos');
    assert.equal(p.BillingMode, 'PAY_PER_REQUEST');
    assert.deepEqual(p.PointInTimeRecoverySpecification, { PointInTimeRecoveryEnabled: true });
    assert.deepEqual(p.KeySchema, [
      { AttributeName: 'owner', KeyType: 'HASH' },
      { AttributeName: 'id', KeyType: 'RANGE' },
    ]);
    // Idempotency records expire by DynamoDB's TTL on expiresAt (todos have none).
    assert.deepEqual(p.TimeToLiveSpecification, { AttributeName: 'expiresAt', Enabled: true });
  });

  test('gives every function a log group with a retention period', () => {
    // (The HTTP API's access log has one too: see hardening.test.ts.)
    const groups = resourcesOfType(packaged.template, 'AWS::Logs::LogGroup').filter(([, group]) =>
      String(group.Properties.LogGroupName).startsWith('/aws/lambda/'),
    );
    assert.equal(groups.length, FUNCTIONS.length);
    for (const [, group] of groups) assert.ok(Number(group.Properties.RetentionInDays) > 0);
  });

  test("by default, puts a JWT authorizer trusting the stack's own Cognito user pool on every todo route", () => {
    const routes = resourcesOfType(packaged.template, 'AWS::ApiGatewayV2::Route');
    assert.ok(routes.length > 0);
    for (const [, route] of routes) {
      const key = String(route.Properties.RouteKey);
      if (PUBLIC_ROUTES.includes(key)) {
        // The index, the OpenAPI document and the docs are public, and touch no data.
        assert.equal(route.Properties.AuthorizationType, undefined, key);
        continue;
      }
      assert.equal(route.Properties.AuthorizationType, 'JWT', key);
      assert.deepEqual(route.Properties.AuthorizerId, { Ref: 'HttpApiAuthorizerJwt' });
    }
    assert.deepEqual(
      routes
        .map(([, r]) => String(r.Properties.RouteKey))
        .filter((key) => PUBLIC_ROUTES.includes(key))
        .sort(),
      [...PUBLIC_ROUTES].sort(),
    );
    const authorizer = props<{ AuthorizerType: string; IdentitySource: string[]; JwtConfiguration: unknown }>(
      packaged.template.Resources.HttpApiAuthorizerJwt,
    );
    assert.equal(authorizer.AuthorizerType, 'JWT');
    assert.deepEqual(authorizer.IdentitySource, ['$request.header.Authorization']);
    assert.deepEqual(authorizer.JwtConfiguration, {
      Audience: [{ Ref: 'UserPoolClient' }],
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a CloudFormation Fn::Sub string, not a template
      Issuer: { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPool}' },
    });
    assert.equal(packaged.template.Resources.UserPool?.Type, 'AWS::Cognito::UserPool');
    assert.equal(packaged.template.Resources.UserPoolClient?.Type, 'AWS::Cognito::UserPoolClient');
    // Preflight stays open: no OPTIONS route exists for an authorizer to guard; API Gateway answers it from CORS.
    assert.ok(routes.every(([, r]) => !String(r.Properties.RouteKey).startsWith('OPTIONS ')));
    const fn = props<{ Environment: { Variables: Record<string, unknown> } }>(
      packaged.template.Resources.CreateTodoLambdaFunction,
    );
    assert.equal(fn.Environment.Variables.AUTH_MODE, 'cognito');
    // If-Match is honoured but not required unless the deployment asks for it.
    assert.equal(fn.Environment.Variables.REQUIRE_IF_MATCH, 'false');
  });

  test('routes exactly the API, each to its function, with CORS for browsers', () => {
    const routes = resourcesOfType(packaged.template, 'AWS::ApiGatewayV2::Route').map(
      ([, r]) => r.Properties.RouteKey as string,
    );
    assert.deepEqual(routes.sort(), FUNCTIONS.flatMap((fn) => fn.routes.map((route) => route.routeKey)).sort());
    // The tutorial's POST / has a function of its own.
    assert.ok(routes.includes('POST /'));
    const api = props<{ ProtocolType: string; CorsConfiguration: Record<string, string[]> }>(
      packaged.template.Resources.HttpApi,
    );
    assert.equal(api.ProtocolType, 'HTTP');
    assert.deepEqual(api.CorsConfiguration.AllowMethods, ['GET', 'POST', 'PATCH', 'DELETE']);
    assert.deepEqual(api.CorsConfiguration.AllowHeaders, [
      'Content-Type',
      'Authorization',
      'If-Match',
      'If-None-Match',
      'Idempotency-Key',
    ]);
    assert.deepEqual(api.CorsConfiguration.ExposeHeaders, [
      'Location',
      'Link',
      'ETag',
      'Idempotent-Replayed',
      'Retry-After',
    ]);
  });

  test('each zip holds one small minified ESM bundle with its dependencies inside, and the files it reads', async () => {
    for (const { name, handler } of FUNCTIONS) {
      const entries = await readZip(join(packaged.dir, `${name}.zip`));
      const file = `${splitHandler(handler).module}.mjs`;
      // Only the docs' functions read files: the viewer, under the path they have in the project.
      const assets = name.startsWith('docs') ? VIEWER_FILES : [];
      assert.deepEqual([...entries.keys()], [file, ...assets], name);
      for (const asset of assets) assert.ok((entries.get(asset)?.length ?? 0) > 0, asset);
      const code = entries.get(file)?.toString('utf8') ?? '';
      // The document's function also carries zod's JSON Schema output and the document's own text.
      // The web page's files' function also carries them (its script and stylesheet, about 36 KB as text).
      const limit = name === 'openApiDocument' || name === 'webAsset' ? 96 * 1024 : 64 * 1024;
      assert.ok(code.length < limit, `${name} bundle is ${code.length} bytes`);
      // Minified: long lines (the pages' HTML templates keep a few line breaks of their own).
      const lines = code.split('\n').length;
      assert.ok(code.length / lines > 150, `${name} is minified (${lines} lines for ${code.length} bytes)`);
      assert.match(code, /export\s*\{/, `${name} is an ES module`);
      // Every import left is a Node.js built-in: the bundle needs no node_modules.
      // (Import statements only: the web page's functions carry its script as text, which has "from" in strings.)
      const imports = [...code.matchAll(/(?:^|[;}])\s*import\s*(?:[\w$*{}\s,]+from\s*)?"([^"]+)"/g)];
      assert.ok(imports.length > 0, `${name} imports Node.js modules`);
      for (const [, spec] of imports) assert.match(spec ?? '', /^node:/);
      assert.ok(!code.includes('aws-sdk'), `${name} carries no AWS SDK`);
    }
  });

  describe('handlers taken from the zips, against dynalite', () => {
    let store: TestStore;
    let unpacked: string;
    let zipped: Invoke;
    // With the claims API Gateway's authorizer would pass for Alice's verified token, unless the input has others.
    const call = (input: EventInput) => zipped({ claims: { iss: ISSUER, sub: ALICE }, ...input });

    before(async () => {
      store = await startTestStore();
      // The packaged functions' own environment (auth mode included), with the local table and endpoint.
      const fn = props<{ Environment: { Variables: Record<string, unknown> } }>(
        packaged.template.Resources.CreateTodoLambdaFunction,
      );
      Object.assign(process.env, store.env, { AUTH_MODE: String(fn.Environment.Variables.AUTH_MODE) });
      // The web page's sign-in settings (the page and GET /config.json read them as they start), as a deploy in
      // us-east-1 would fill in the stack's pool, client and hosted UI domain.
      const page = props<{ Environment: { Variables: Record<string, Json> } }>(
        packaged.template.Resources.ApiIndexLambdaFunction,
      );
      for (const [name, value] of Object.entries(page.Environment.Variables)) {
        if (name.startsWith('OIDC_')) process.env[name] = String(deployed(packaged.template, value, DEPLOYED));
      }
      unpacked = await mkdtemp(join(tmpdir(), 'todo-zips-'));
      zipped = await routeHandlers(async (declared) => {
        const { file, exportName } = await unpackFunction(packaged, declared.name, declared.handler, unpacked);
        return ((await import(pathToFileURL(file).href)) as Record<string, unknown>)[exportName];
      });
    });

    after(async () => {
      await store?.close();
      if (unpacked) await rm(unpacked, { recursive: true, force: true });
    });

    test('serve the index, the OpenAPI document and the docs with their files, from the zips alone', async () => {
      const index = await zipped({ routeKey: 'GET /' });
      assert.equal(index.statusCode, 200);
      assert.equal(index.json.docs, 'https://api.example.test/docs');
      // The web page's sign-in: the stack's pool through its hosted UI (auth=cognito).
      const config = await zipped({ routeKey: 'GET /config.json' });
      assert.equal(config.statusCode, 200);
      assert.equal(config.json.issuer, ISSUER);
      assert.equal(config.json.clientId, 'client-1');
      assert.equal(
        config.json.endpoints.token,
        'https://todo-api-test-123456789012.auth.us-east-1.amazoncognito.com/oauth2/token',
      );
      const document = await zipped({ routeKey: 'GET /openapi.json' });
      assert.equal(document.json.openapi, '3.1.0');
      // Packaged with auth=cognito: the document asks for a bearer token.
      assert.ok(document.json.components.securitySchemes.bearerAuth);
      const page = await zipped({ routeKey: 'GET /docs' });
      assert.equal(page.statusCode, 200);
      const files = [...String(page.body).matchAll(/(?:src|href)="docs\/([^"]+)"/g)].map((m) => m[1] ?? '');
      assert.equal(files.length, 3);
      for (const asset of files) {
        const file = await zipped({ routeKey: 'GET /docs/{asset}', pathParameters: { asset } });
        assert.equal(file.statusCode, 200, asset);
        assert.ok(String(file.body).length > 100, asset);
      }
    });

    test('serve the web page and the very files the source builds, from the zips alone (built at package time)', async () => {
      const page = await zipped({ routeKey: 'GET /', headers: { accept: 'text/html' } });
      assert.equal(page.statusCode, 200);
      assert.match(String(page.headers?.['content-type']), /^text\/html/);
      // Its Content-Security-Policy lets it call the hosted UI's token endpoint, and no other origin.
      assert.match(
        String(page.headers?.['content-security-policy']),
        /connect-src 'self' https:\/\/todo-api-test-123456789012\.auth\.us-east-1\.amazoncognito\.com;/,
      );
      const names = [...String(page.body).matchAll(/(?:src|href)="app\/([^"]+)"/g)].map((m) => m[1] ?? '');
      const built = await webBundle();
      assert.deepEqual(names.sort(), [built.script, built.style].sort());
      for (const asset of names) {
        const file = await zipped({ routeKey: 'GET /app/{asset}', pathParameters: { asset } });
        assert.equal(file.statusCode, 200, asset);
        assert.equal(file.headers?.['cache-control'], 'public, max-age=31536000, immutable');
        assert.equal(String(file.body), built.files[asset]?.body, `${asset} is the source's build`);
      }
      const missing = await zipped({ routeKey: 'GET /app/{asset}', pathParameters: { asset: 'app.js' } });
      assert.equal(missing.statusCode, 404);
    });

    test('serve the whole API', async () => {
      const created = await call({ routeKey: 'POST /todos', body: { title: ' Ship it ', order: 2 } });
      assert.equal(created.statusCode, 201);
      assert.equal(created.json.title, 'Ship it');
      assert.equal(created.headers?.location, created.json.url);
      const id = created.json.id as string;

      const tutorial = await call({ routeKey: 'POST /', body: { todo: 'from the tutorial' } });
      assert.equal(tutorial.statusCode, 201);
      assert.equal(tutorial.json.title, 'from the tutorial');

      const got = await call({ routeKey: 'GET /todos/{id}', pathParameters: { id } });
      assert.equal(got.statusCode, 200);
      assert.deepEqual(got.json, created.json);

      const updated = await call({
        routeKey: 'PATCH /todos/{id}',
        pathParameters: { id },
        body: { completed: true },
      });
      assert.equal(updated.statusCode, 200);
      assert.equal(updated.json.completed, true);
      // A write naming the version before that update is refused, with the current ETag.
      const stale = await call({
        routeKey: 'PATCH /todos/{id}',
        pathParameters: { id },
        body: { title: 'stale' },
        headers: { 'if-match': String(created.headers?.etag) },
      });
      assert.equal(stale.statusCode, 412);
      assert.equal(stale.headers?.etag, updated.headers?.etag);
      const unchanged = await call({
        routeKey: 'GET /todos/{id}',
        pathParameters: { id },
        headers: { 'if-none-match': String(updated.headers?.etag) },
      });
      assert.equal(unchanged.statusCode, 304);

      // A create retried with its Idempotency-Key replays the first answer.
      const keyed = { routeKey: 'POST /todos', body: { title: 'once' }, headers: { 'idempotency-key': 'pkg-1' } };
      const first = await call(keyed);
      const replay = await call(keyed);
      assert.equal(first.statusCode, 201);
      assert.equal(replay.headers?.['idempotent-replayed'], 'true');
      assert.deepEqual(replay.json, first.json);

      const listed = await call({ routeKey: 'GET /todos', query: 'limit=1' });
      assert.equal(listed.statusCode, 200);
      assert.deepEqual(
        listed.json.map((t: { id: string }) => t.id),
        [id],
      );
      assert.match(String(listed.headers?.link), /rel="next"/);

      const rejected = await call({ routeKey: 'POST /todos', body: { title: 'x', owner: 'mallory' } });
      assert.equal(rejected.statusCode, 400);
      assert.equal(rejected.headers?.['content-type'], 'application/problem+json');

      // Without a verified identity the packaged handler refuses, and serves no one.
      const anonymous = await zipped({ routeKey: 'GET /todos' });
      assert.equal(anonymous.statusCode, 401);
      // Another user sees none of Alice's todos.
      const other = await call({ routeKey: 'GET /todos', claims: { iss: ISSUER, sub: 'someone-else' } });
      assert.deepEqual(other.json, []);

      const deleted = await call({ routeKey: 'DELETE /todos/{id}', pathParameters: { id } });
      assert.equal(deleted.statusCode, 204);
      const gone = await call({ routeKey: 'GET /todos/{id}', pathParameters: { id } });
      assert.equal(gone.statusCode, 404);

      for (let i = 0; i < 30; i++) await call({ routeKey: 'POST /todos', body: { title: `t${i}` } });
      const cleared = await call({ routeKey: 'DELETE /todos' });
      assert.equal(cleared.statusCode, 204);
      const empty = await call({ routeKey: 'GET /todos' });
      assert.deepEqual(empty.json, []);
    });
  });

  describe('with auth off (--param="auth=none", the tutorial\'s public mode)', () => {
    let open: Packaged;

    before(async () => {
      open = await packageService('test', ['--param=auth=none', '--param=requireIfMatch=true']);
    });

    after(async () => {
      await open?.remove();
    });

    test('attaches no authorizer and declares none', () => {
      for (const [, route] of resourcesOfType(open.template, 'AWS::ApiGatewayV2::Route')) {
        assert.equal(route.Properties.AuthorizationType, undefined, String(route.Properties.RouteKey));
        assert.equal(route.Properties.AuthorizerId, undefined);
      }
      assert.deepEqual(resourcesOfType(open.template, 'AWS::ApiGatewayV2::Authorizer'), []);
      const fn = props<{ Environment: { Variables: Record<string, unknown> } }>(
        open.template.Resources.CreateTodoLambdaFunction,
      );
      assert.equal(fn.Environment.Variables.AUTH_MODE, 'none');
      assert.equal(fn.Environment.Variables.REQUIRE_IF_MATCH, 'true');
      // The user pool stays (switching modes must not replace it and re-key its users); nothing trusts it.
      assert.equal(open.template.Resources.UserPool?.DeletionPolicy, 'Retain');
    });
  });

  test('another OIDC issuer replaces Cognito; without its issuer and audience, packaging fails', async () => {
    const oidc = await packageService('test', [
      '--param=auth=oidc',
      '--param=jwtIssuer=https://issuer.example.com',
      '--param=jwtAudience=client-1',
    ]);
    await oidc.remove();
    const authorizer = props<{ JwtConfiguration: unknown }>(oidc.template.Resources.HttpApiAuthorizerJwt);
    assert.deepEqual(authorizer.JwtConfiguration, { Audience: ['client-1'], Issuer: 'https://issuer.example.com' });
    // An issuer without an audience, or the reverse, is a configuration error, not a deploy that trusts nothing.
    const refusals = (
      [
        [['--param=auth=oidc'], /"jwtIssuer".*"jwtAudience"/],
        [['--param=auth=oidc', '--param=jwtIssuer=https://issuer.example.com'], /parameter "jwtAudience"/],
        [['--param=auth=oidc', '--param=jwtAudience=client-1'], /parameter "jwtIssuer"/],
      ] as const
    ).map(([args, missing]) =>
      assert.rejects(packageService('test', [...args]), (error: { stdout?: string; stderr?: string }) => {
        assert.match(`${error.stdout}${error.stderr}`, /auth=oidc needs/, args.join(' '));
        assert.match(`${error.stdout}${error.stderr}`, missing, args.join(' '));
        return true;
      }),
    );
    await Promise.all(refusals);
  });
});
