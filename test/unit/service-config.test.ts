// biome-ignore-all lint/suspicious/noTemplateCurlyInString: serverless.yml variables are literal ${…} text here.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { type Json, type LoadOptions, loadServiceModel, resolveVariables } from '../../local/service-config.js';

type Config = { [key: string]: Json };

const resolve = (raw: Config, options: { stage?: string; region?: string; env?: Record<string, string> } = {}) =>
  resolveVariables(raw, {
    stage: options.stage ?? 'dev',
    ...(options.region === undefined ? {} : { region: options.region }),
    env: options.env ?? {},
  });

/** The value of `custom.value` once `custom` is resolved. */
const value = (text: Json, options: Parameters<typeof resolve>[1] = {}, extra: Config = {}) =>
  resolve({ service: 'todo-api', custom: { value: text, ...extra } }, options).custom;

describe('resolveVariables', () => {
  test('${self:…} reads another part of the configuration, resolved', () => {
    const config = resolve(
      {
        service: 'todo-api',
        provider: { stage: "${opt:stage, 'dev'}", region: "${opt:region, 'us-east-1'}" },
        custom: {
          table: '${self:service}-${self:provider.stage}-todos',
          where: '${self:provider.region}',
          deep: '${self:custom.nested.level.leaf}',
          nested: { level: { leaf: 'found' } },
        },
      },
      { stage: 'prod' },
    );
    assert.deepEqual(config.custom, {
      table: 'todo-api-prod-todos',
      where: 'us-east-1',
      deep: 'found',
      nested: { level: { leaf: 'found' } },
    });
  });

  test('${sls:stage} and ${opt:stage, …} are the stage', () => {
    assert.deepEqual(value('${sls:stage}', { stage: 'local' }), { value: 'local' });
    assert.deepEqual(value("${opt:stage, 'dev'}", { stage: 'local' }), { value: 'local' });
    assert.deepEqual(value("${opt:stage, 'dev'}-x", { stage: 'qa' }), { value: 'qa-x' });
  });

  test('${opt:region, …} is the region when given, else the fallback', () => {
    assert.deepEqual(value("${opt:region, 'us-east-1'}"), { value: 'us-east-1' });
    assert.deepEqual(value("${opt:region, 'us-east-1'}", { region: 'eu-west-3' }), { value: 'eu-west-3' });
  });

  test('${env:X, …} reads the environment, else the fallback', () => {
    assert.deepEqual(value("${env:TODO_X, 'fallback'}"), { value: 'fallback' });
    assert.deepEqual(value("${env:TODO_X, 'fallback'}", { env: { TODO_X: 'set' } }), { value: 'set' });
    assert.deepEqual(value('${env:TODO_X, "double"}'), { value: 'double' });
    // An empty variable is a value (as in osls), not a reason to fall back.
    assert.deepEqual(value("${env:TODO_X, 'fallback'}", { env: { TODO_X: '' } }), { value: '' });
    assert.deepEqual(value("a-${env:TODO_X, 'b'}-c"), { value: 'a-b-c' });
  });

  test('fallbacks are tried in order and may be variables or numbers', () => {
    assert.deepEqual(value("${env:A, env:B, 'last'}", { env: { B: 'second' } }), { value: 'second' });
    assert.deepEqual(value("${env:A, env:B, 'last'}"), { value: 'last' });
    assert.deepEqual(value('${env:A, 30}'), { value: 30 });
  });

  test('a quoted fallback may contain a comma', () => {
    assert.deepEqual(value("${env:TODO_MISSING, 'a, b'}"), { value: 'a, b' });
  });

  test('a value containing $ characters is inserted literally', () => {
    assert.deepEqual(value('prefix-${env:TODO_PASSWORD}', { env: { TODO_PASSWORD: 'pa$$word' } }), {
      value: 'prefix-pa$$word',
    });
    assert.deepEqual(value('prefix-${env:TODO_PRICE}-suffix', { env: { TODO_PRICE: "$'5" } }), {
      value: "prefix-$'5-suffix",
    });
    // "$&" would re-insert the matched variable (and loop forever) if it were read as a replacement pattern.
    assert.deepEqual(value('x-${env:TODO_AMP}', { env: { TODO_AMP: 'a$&b' } }), { value: 'x-a$&b' });
  });

  test('${param:x} takes the stage param over the default one', () => {
    const params = { default: { url: 'default-url', only: 'default-only' }, prod: { url: 'prod-url' } };
    const raw = (text: string): Config => ({ params, custom: { value: text } });
    assert.deepEqual(resolve(raw('${param:url}'), { stage: 'prod' }).custom, { value: 'prod-url' });
    assert.deepEqual(resolve(raw('${param:url}'), { stage: 'dev' }).custom, { value: 'default-url' });
    assert.deepEqual(resolve(raw('${param:only}'), { stage: 'prod' }).custom, { value: 'default-only' });
    assert.throws(() => resolve(raw('${param:nothing}'), { stage: 'prod' }), /param:nothing/);
    assert.deepEqual(resolve(raw("${param:nothing, 'fb'}"), { stage: 'prod' }).custom, { value: 'fb' });
  });

  test('an empty string param is a value', () => {
    const raw: Config = { params: { default: { publicBaseUrl: '' } }, custom: { value: '${param:publicBaseUrl}' } };
    assert.deepEqual(resolve(raw, { stage: 'local' }).custom, { value: '' });
  });

  test('nested variables are resolved from the inside out', () => {
    assert.deepEqual(
      value('${env:${self:custom.which}}', { env: { TODO_CHOSEN: 'chosen value' } }, { which: 'TODO_CHOSEN' }),
      { value: 'chosen value', which: 'TODO_CHOSEN' },
    );
    assert.deepEqual(value("${env:TODO_NONE, '${sls:stage}-fb'}", { stage: 'qa' }), { value: 'qa-fb' });
    assert.deepEqual(value('${env:TODO_NONE, self:service}'), { value: 'todo-api' });
  });

  test('a string that is one variable keeps the type of its value', () => {
    const custom = resolve({
      custom: {
        number: '${self:custom.n}',
        boolean: '${self:custom.b}',
        object: '${self:custom.o}',
        list: '${self:custom.l}',
        partial: 'n=${self:custom.n}',
        n: 3,
        b: false,
        o: { k: 'v', ref: '${self:custom.n}' },
        l: [1, 'two'],
      },
    }).custom;
    assert.deepEqual(custom, {
      number: 3,
      boolean: false,
      object: { k: 'v', ref: 3 },
      list: [1, 'two'],
      partial: 'n=3',
      n: 3,
      b: false,
      o: { k: 'v', ref: 3 },
      l: [1, 'two'],
    });
  });

  test('resolves in lists and leaves other scalars alone', () => {
    assert.deepEqual(
      resolve({ custom: { list: ['${sls:stage}', 1, true, null, { x: '${sls:stage}' }] } }, { stage: 's' }).custom,
      { list: ['s', 1, true, null, { x: 's' }] },
    );
  });

  test('an unsupported source is a clear error naming the variable', () => {
    for (const text of ['${ssm:/todo/param}', '${cf:stack.output}', '${s3:bucket/key}', '${sls:instanceId}']) {
      assert.throws(
        () => value(text),
        (error: unknown) => {
          assert.ok(error instanceof Error);
          assert.match(error.message, /^serverless\.yml: /);
          assert.ok(error.message.includes(text), `${error.message} does not name ${text}`);
          return true;
        },
      );
    }
  });

  test('a variable with no value and no fallback is an error', () => {
    assert.throws(() => value('${env:TODO_UNSET}'), /\$\{env:TODO_UNSET\} has no value and no fallback/);
    assert.throws(() => value('${self:custom.missing}'), /self:custom\.missing/);
  });

  test('a self-reference loop is an error, not a hang', () => {
    assert.throws(() => resolve({ custom: { a: '${self:custom.b}', b: '${self:custom.a}' } }), /refers to itself/);
  });

  test('CloudFormation placeholders that are not variables are left alone, as osls does', () => {
    assert.deepEqual(value('arn:aws:s3:::${AWS::Region}-bucket'), { value: 'arn:aws:s3:::${AWS::Region}-bucket' });
    assert.deepEqual(value('${Bucket}-x'), { value: '${Bucket}-x' });
  });
});

// One temp dir for every serverless.yml these tests write, removed once they are done.
let dir: string;
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'service-config-test-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** Loads `yaml` as a serverless.yml for stage dev. */
function loadYaml(yaml: string, options: Omit<LoadOptions, 'stage'> = {}) {
  const file = join(dir, `serverless-${Math.random().toString(36).slice(2)}.yml`);
  writeFileSync(file, yaml);
  return loadServiceModel(file, { stage: 'dev', env: {}, ...options });
}

const indent = (text: string, by: string) =>
  text
    .split('\n')
    .map((line) => `${by}${line}`)
    .join('\n');

describe('loadServiceModel: CloudFormation short tags', () => {
  const load = (custom: string) =>
    loadYaml(
      `service: probe\nprovider:\n  name: aws\n  stage: \${opt:stage, 'dev'}\ncustom:\n${indent(custom, '  ')}\n`,
    ).resolved.custom;

  test('!Ref, !GetAtt, !Join, !Sub, !Select and !Equals become their long forms', () => {
    assert.deepEqual(
      load(
        [
          'ref: !Ref TodosTable',
          'getatt: !GetAtt TodosTable.Arn',
          'getattList: !GetAtt [TodosTable, StreamArn]',
          "join: !Join [':', [a, b, c]]",
          "joinNested: !Join ['', [!Ref Bucket, '/', !GetAtt Api.Url]]",
          "sub: !Sub 'table-${self:service}'",
          'select: !Select [0, [x, y]]',
          'equals: !Equals [!Ref Stage, prod]',
          'condition: !Condition IsProd',
          'base64: !Base64 text',
        ].join('\n'),
      ),
      {
        ref: { Ref: 'TodosTable' },
        getatt: { 'Fn::GetAtt': ['TodosTable', 'Arn'] },
        getattList: { 'Fn::GetAtt': ['TodosTable', 'StreamArn'] },
        join: { 'Fn::Join': [':', ['a', 'b', 'c']] },
        joinNested: { 'Fn::Join': ['', [{ Ref: 'Bucket' }, '/', { 'Fn::GetAtt': ['Api', 'Url'] }]] },
        sub: { 'Fn::Sub': 'table-probe' },
        select: { 'Fn::Select': [0, ['x', 'y']] },
        equals: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
        condition: { Condition: 'IsProd' },
        base64: { 'Fn::Base64': 'text' },
      },
    );
  });

  test('!Sub in its list form keeps its variables map', () => {
    assert.deepEqual(load("sub: !Sub\n  - 'x-${Name}'\n  - Name: !Ref Thing"), {
      sub: { 'Fn::Sub': ['x-${Name}', { Name: { Ref: 'Thing' } }] },
    });
  });

  test('!Sub keeps CloudFormation placeholders for CloudFormation', () => {
    assert.deepEqual(load("sub: !Sub 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/x'"), {
      sub: { 'Fn::Sub': 'arn:aws:dynamodb:${AWS::Region}:${AWS::AccountId}:table/x' },
    });
  });

  test('!GetAtt with a dotted attribute splits at the first dot only', () => {
    assert.deepEqual(load('address: !GetAtt Database.Endpoint.Address'), {
      address: { 'Fn::GetAtt': ['Database', 'Endpoint.Address'] },
    });
  });

  test('a ${self:} reference to a tagged value yields the long form', () => {
    assert.deepEqual(load('ref: !Ref Thing\ncopy: ${self:custom.ref}'), {
      ref: { Ref: 'Thing' },
      copy: { Ref: 'Thing' },
    });
  });
});

describe('loadServiceModel: the model the gateway is built from', () => {
  const SERVICE = `service: probe
provider:
  name: aws
  stage: \${opt:stage, 'dev'}
  region: eu-west-3
  timeout: 10
  environment:
    TABLE_NAME: !Ref TodosTable
    SHARED: provider
  httpApi:
    cors: true
    authorizers:
      jwt:
        identitySource: $request.header.Authorization
        issuerUrl: https://issuer.example
        audience: client-1
functions:
  createTodo:
    handler: src/handlers/create.handler
    memorySize: 256
    environment:
      SHARED: function
    events:
      - httpApi:
          method: post
          path: /todos
          authorizer: jwt
  catchAll:
    handler: src/handlers/nested.dir/fallback.main
    events:
      - httpApi: '*'
      - httpApi: 'GET /files/{proxy+}'
resources:
  Resources:
    TodosTable:
      Type: AWS::DynamoDB::Table
      Properties:
        TableName: \${self:service}-\${sls:stage}-todos
    Queue:
      Type: AWS::SQS::Queue
`;

  test("functions: the handler's module and export (split as osls splits it), defaults, environment, routes", () => {
    const model = loadYaml(SERVICE);
    assert.deepEqual(
      model.functions.map(({ name, handler, handlerModule, handlerExport, timeoutSeconds, memorySize }) => ({
        name,
        handler,
        handlerModule,
        handlerExport,
        timeoutSeconds,
        memorySize,
      })),
      [
        {
          name: 'createTodo',
          handler: 'src/handlers/create.handler',
          handlerModule: 'src/handlers/create',
          handlerExport: 'handler',
          timeoutSeconds: 10,
          memorySize: 256,
        },
        {
          name: 'catchAll',
          handler: 'src/handlers/nested.dir/fallback.main',
          handlerModule: 'src/handlers/nested.dir/fallback',
          handlerExport: 'main',
          timeoutSeconds: 10,
          memorySize: 1024,
        },
      ],
    );
    const [create, catchAll] = model.functions;
    assert.deepEqual(create?.environment, { TABLE_NAME: { Ref: 'TodosTable' }, SHARED: 'function' });
    assert.deepEqual(create?.routes, [{ method: 'POST', path: '/todos', routeKey: 'POST /todos', authorizer: 'jwt' }]);
    assert.deepEqual(catchAll?.routes, [
      { method: 'ANY', path: '*', routeKey: '$default' },
      { method: 'GET', path: '/files/{proxy+}', routeKey: 'GET /files/{proxy+}' },
    ]);
  });

  test('a handler that is not <module>.<export> is an error naming the function', () => {
    for (const handler of ['src/handlers/create', 'src/handlers/create.', '.handler', 'src/handlers.v2/create']) {
      assert.throws(
        () => loadYaml(`service: probe\nprovider:\n  name: aws\nfunctions:\n  broken:\n    handler: ${handler}\n`),
        /^Error: serverless\.yml: functions\.broken: handler ".*" must be <module path>\.<export name>/,
        handler,
      );
    }
  });

  test('the stage, region, tables (DynamoDB only, variables resolved), authorizers and CORS', () => {
    const model = loadYaml(SERVICE, { env: {} });
    assert.equal(model.service, 'probe');
    assert.equal(model.stage, 'dev');
    assert.equal(model.region, 'eu-west-3');
    assert.deepEqual(model.tables, [{ logicalId: 'TodosTable', properties: { TableName: 'probe-dev-todos' } }]);
    assert.deepEqual(
      [...model.authorizers],
      [
        [
          'jwt',
          {
            name: 'jwt',
            identitySource: ['$request.header.Authorization'],
            issuerUrl: 'https://issuer.example',
            audience: ['client-1'],
          },
        ],
      ],
    );
    // `cors: true` is osls's defaults.
    assert.deepEqual(model.cors?.allowedOrigins, ['*']);
    assert.deepEqual(model.cors?.allowedMethods, ['OPTIONS', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE']);
    assert.equal(model.cors?.allowCredentials, false);
  });

  test('a route naming an undeclared authorizer, or a non-JWT authorizer, is an error', () => {
    assert.throws(
      () => loadYaml(SERVICE.replace('authorizer: jwt', 'authorizer: cognito')),
      /POST \/todos uses authorizer cognito, which is not declared/,
    );
    assert.throws(
      () => loadYaml(SERVICE.replace('      jwt:\n', '      jwt:\n        type: request\n')),
      /supports JWT authorizers only \(jwt is request\)/,
    );
  });

  test('allowed origins given as a comma-separated list (the corsAllowedOrigins parameter) are split, as for osls', () => {
    const model = loadYaml(
      SERVICE.replace(
        '    cors: true\n',
        "    cors:\n      allowedOrigins: ['https://a.example, https://b.example', 'https://c.example']\n",
      ),
    );
    assert.deepEqual(model.cors?.allowedOrigins, ['https://a.example', 'https://b.example', 'https://c.example']);
  });

  test('no httpApi means no CORS and no authorizers', () => {
    const model = loadYaml('service: probe\nprovider:\n  name: aws\n  stage: dev\n');
    assert.equal(model.cors, undefined);
    assert.equal(model.authorizers.size, 0);
    assert.deepEqual(model.functions, []);
    assert.deepEqual(model.tables, []);
  });
});
