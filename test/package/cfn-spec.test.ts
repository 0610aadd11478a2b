/**
 * The packaged templates of every auth mode, held to CloudFormation's resource specification (tools/cfn-spec.ts,
 * over the AWS CDK's `@aws-cdk/aws-service-spec`): nothing here can deploy, so this is what would find a misspelt
 * property or a dangling reference before a deploy. Broken copies of a real template show that it would, and small
 * hand-written templates pin down how intrinsic functions and CloudFormation's tolerance are handled.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cfnSpec, type Problem, type ProblemKind, validateTemplate } from '../../tools/cfn-spec.js';
import { type CfnTemplate, type Packaged, packageService } from '../../tools/package.js';

const MODES: Record<string, string[]> = {
  cognito: [],
  oidc: ['--param=auth=oidc', '--param=jwtIssuer=https://login.example.com', '--param=jwtAudience=my-client'],
  none: ['--param=auth=none'],
  // Every optional part switched on (the e-mail subscription, tracing, reserved concurrency, narrowed CORS,
  // admin-only sign-up, the web page's own sign-in addresses) and every tunable moved off its default.
  everything: [
    '--param=alarmEmail=ops@example.com',
    '--param=tracing=true',
    '--param=reservedConcurrency=5',
    '--param=corsAllowedOrigins=https://todos.example.com,https://admin.example.com',
    '--param=callbackUrls=https://todos.example.com/,http://localhost:5173/',
    '--param=adminOnlySignUp=true',
    '--param=requireIfMatch=true',
    '--param=publicBaseUrl=https://todos.example.com',
    '--param=logLevel=WARN',
    '--param=throttlingRateLimit=20.5',
    '--param=throttlingBurstLimit=40',
    '--param=latencyP99Ms=900',
    '--param=api5xxRatePercent=2',
  ],
};

type Json = Parameters<typeof validateTemplate>[0];
/** Any JSON value. */
type Value = Json[string];
type Template = CfnTemplate & { [key: string]: unknown };
const packaged = new Map<string, Packaged>();
let cognito: Json;
let specLoadMs = 0;

before(async () => {
  const started = performance.now();
  cfnSpec();
  specLoadMs = performance.now() - started;
  // Each packaging runs osls in a service directory of its own (tools/package.ts), so they may run at once.
  const results = await Promise.all(
    Object.entries(MODES).map(async ([mode, args]) => [mode, await packageService('spec', args)] as const),
  );
  for (const [mode, result] of results) packaged.set(mode, result);
  cognito = (packaged.get('cognito') as Packaged).template as unknown as Json;
});

after(async () => {
  await Promise.all([...packaged.values()].map((result) => result.remove()));
});

const show = (problems: Problem[]) => problems.map((p) => `${p.path}: ${p.kind}: ${p.message}`).join('\n') || 'none';

/** A deep copy of the cognito template, changed by `change`. */
function broken(change: (template: Template) => void): Json {
  const copy = structuredClone(cognito) as unknown as Template;
  change(copy);
  return copy as unknown as Json;
}

/** `template` has exactly these problems, in this order: each at its path, of its kind. */
function assertProblems(template: Json, expected: Array<[path: string, kind: ProblemKind]>): Problem[] {
  const problems = validateTemplate(template);
  assert.deepEqual(
    problems.map((p) => [p.path, p.kind]),
    expected,
    `problems found:\n${show(problems)}`,
  );
  return problems;
}

const props = (t: CfnTemplate, id: string) => t.Resources[id]?.Properties as Record<string, unknown>;

test('the specification is loaded once', (t) => {
  t.diagnostic(`loading @aws-cdk/aws-service-spec took ${Math.round(specLoadMs)} ms`);
  assert.equal(cfnSpec(), cfnSpec());
  assert.ok(cfnSpec().all('resource').length > 1000, 'the whole specification');
});

describe('the packaged templates', () => {
  for (const mode of Object.keys(MODES)) {
    test(`${mode}: no problem against the CloudFormation specification`, () => {
      const template = packaged.get(mode)?.template as unknown as Json;
      assert.ok(Object.keys(template.Resources as object).length > 20, 'a whole template was checked');
      const problems = validateTemplate(template);
      assert.deepEqual(problems, [], show(problems));
    });
  }
});

describe('a broken copy of a packaged template is caught', () => {
  test('a misspelt property of a resource, with what was meant', () => {
    const [problem] = assertProblems(
      broken((t) => {
        const table = props(t, 'TodosTable');
        table.BillingMod = table.BillingMode;
        delete table.BillingMode;
      }),
      [['Resources.TodosTable.Properties.BillingMod', 'unknown-property']],
    );
    assert.match(problem?.message ?? '', /AWS::DynamoDB::Table.*\(BillingMode\?\)/);
  });

  test('a misspelt nested property: in a list item, and in a property type', () => {
    assertProblems(
      broken((t) => {
        const [first] = props(t, 'TodosTable').KeySchema as Array<Record<string, unknown>>;
        assert.ok(first);
        first.AttributeNme = first.AttributeName;
        delete first.AttributeName;
      }),
      [
        ['Resources.TodosTable.Properties.KeySchema[0].AttributeNme', 'unknown-property'],
        ['Resources.TodosTable.Properties.KeySchema[0].AttributeName', 'missing-property'],
      ],
    );
    assertProblems(
      broken((t) => {
        const environment = props(t, 'CreateTodoLambdaFunction').Environment as Record<string, unknown>;
        environment.Variable = environment.Variables;
        delete environment.Variables;
      }),
      [['Resources.CreateTodoLambdaFunction.Properties.Environment.Variable', 'unknown-property']],
    );
  });

  test('a missing required property', () => {
    assertProblems(
      broken((t) => {
        delete props(t, 'CreateTodoLambdaFunction').Role;
      }),
      [['Resources.CreateTodoLambdaFunction.Properties.Role', 'missing-property']],
    );
    assertProblems(
      broken((t) => {
        props(t, 'AlarmTopic').Tags = [{ Key: 'team' }];
      }),
      [['Resources.AlarmTopic.Properties.Tags[0].Value', 'missing-property']],
    );
  });

  test('a value of the wrong type', () => {
    const cases: Array<[string, (t: Template) => void]> = [
      // a string where a list is expected
      [
        'Resources.TodosTable.Properties.AttributeDefinitions',
        (t) => {
          props(t, 'TodosTable').AttributeDefinitions = 'owner';
        },
      ],
      // an object where a string is expected
      [
        'Resources.TodosTable.Properties.TableName',
        (t) => {
          props(t, 'TodosTable').TableName = { name: 'todos' };
        },
      ],
      // a word where an integer is expected
      [
        'Resources.CreateTodoLambdaFunction.Properties.MemorySize',
        (t) => {
          props(t, 'CreateTodoLambdaFunction').MemorySize = 'lots';
        },
      ],
      // a string where an object is expected
      [
        'Resources.TodosTable.Properties.PointInTimeRecoverySpecification',
        (t) => {
          props(t, 'TodosTable').PointInTimeRecoverySpecification = 'enabled';
        },
      ],
      // a Ref (one value) where a list is expected
      [
        'Resources.CreateTodoLambdaFunction.Properties.Architectures',
        (t) => {
          props(t, 'CreateTodoLambdaFunction').Architectures = { Ref: 'AWS::Region' };
        },
      ],
    ];
    for (const [path, change] of cases) assertProblems(broken(change), [[path, 'wrong-type']]);
  });

  test('an unknown resource type', () => {
    assertProblems(
      broken((t) => {
        (t.Resources.TodosTable as { Type: string }).Type = 'AWS::DynamoDB::Tabel';
      }),
      [['Resources.TodosTable.Type', 'unknown-resource-type']],
    );
  });

  test('a Ref to a missing resource', () => {
    assertProblems(
      broken((t) => {
        const { Variables } = props(t, 'CreateTodoLambdaFunction').Environment as {
          Variables: Record<string, unknown>;
        };
        Variables.TABLE_NAME = { Ref: 'TodoTable' };
      }),
      [['Resources.CreateTodoLambdaFunction.Properties.Environment.Variables.TABLE_NAME.Ref', 'unknown-reference']],
    );
  });

  test('a GetAtt of a missing attribute, or of a missing resource, in both forms', () => {
    const path = 'Resources.CreateTodoLambdaPermissionHttpApi.Properties.FunctionName.Fn::GetAtt';
    const [problem] = assertProblems(
      broken((t) => {
        props(t, 'CreateTodoLambdaPermissionHttpApi').FunctionName = {
          'Fn::GetAtt': ['CreateTodoLambdaFunction', 'Arm'],
        };
      }),
      [[path, 'unknown-attribute']],
    );
    assert.match(problem?.message ?? '', /AWS::Lambda::Function has no attribute Arm/);
    assertProblems(
      broken((t) => {
        props(t, 'CreateTodoLambdaPermissionHttpApi').FunctionName = { 'Fn::GetAtt': 'CreateTodoLambdaFunction.Arm' };
      }),
      [[path, 'unknown-attribute']],
    );
    assertProblems(
      broken((t) => {
        props(t, 'CreateTodoLambdaPermissionHttpApi').FunctionName = { 'Fn::GetAtt': ['CreateTodoFunction', 'Arn'] };
      }),
      [[path, 'unknown-reference']],
    );
  });

  test('a Fn::Sub naming a missing resource', () => {
    const [problem] = assertProblems(
      broken((t) => {
        const { JwtConfiguration } = props(t, 'HttpApiAuthorizerJwt') as { JwtConfiguration: Record<string, unknown> };
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
        JwtConfiguration.Issuer = { 'Fn::Sub': 'https://cognito-idp.${AWS::Region}.amazonaws.com/${UserPol}' };
      }),
      [['Resources.HttpApiAuthorizerJwt.Properties.JwtConfiguration.Issuer.Fn::Sub', 'unknown-reference']],
    );
    assert.match(problem?.message ?? '', /\$\{UserPol\}/);
  });

  test('resource attributes: an unknown one, DependsOn, Condition, DeletionPolicy', () => {
    assertProblems(
      broken((t) => {
        const table = t.Resources.TodosTable as unknown as Record<string, unknown>;
        table.Propertie = table.Properties;
        table.DependsOn = ['CreateTodoLogGroup', 'NoSuchThing'];
        table.Condition = 'NoSuchCondition';
        table.DeletionPolicy = 'Keep';
      }),
      [
        ['Resources.TodosTable.Propertie', 'unknown-resource-attribute'],
        ['Resources.TodosTable.DependsOn[1]', 'unknown-reference'],
        ['Resources.TodosTable.Condition', 'unknown-condition'],
        ['Resources.TodosTable.DeletionPolicy', 'invalid-value'],
      ],
    );
  });

  test('outputs: a dangling Ref, a list as a value, an unknown key', () => {
    assertProblems(
      broken((t) => {
        const outputs = t.Outputs as Record<string, Record<string, unknown>>;
        outputs.TodosTableName = { Value: { Ref: 'TodoTable' } };
        outputs.Zones = { Value: { 'Fn::GetAZs': '' }, Exprt: { Name: 'zones' } };
      }),
      [
        ['Outputs.TodosTableName.Value.Ref', 'unknown-reference'],
        ['Outputs.Zones.Exprt', 'unknown-property'],
        ['Outputs.Zones.Value', 'wrong-type'],
      ],
    );
  });
});

describe('intrinsic functions and CloudFormation tolerance, on small templates', () => {
  /** A template of one table (with `properties` added) and whatever `more` adds. */
  const table = (properties: Record<string, Value>, more: Record<string, Value> = {}): Json => ({
    Parameters: { Zones: { Type: 'CommaDelimitedList' }, Stage: { Type: 'String' } },
    Mappings: { Sizes: { prod: { Read: 10 } } },
    Conditions: { Prod: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
    Resources: {
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          ...properties,
        },
      },
      ...more,
    },
  });
  const problemsOf = (template: Json) => validateTemplate(template).map((p) => [p.path, p.kind]);
  const base = 'Resources.Table.Properties';

  test('numbers and booleans written as strings are taken; other strings are not', () => {
    assert.deepEqual(
      problemsOf(
        table({
          ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: 5 },
          DeletionProtectionEnabled: 'true',
          // A number where a string is expected is turned into its text.
          TableName: 42,
        }),
      ),
      [],
    );
    assert.deepEqual(
      problemsOf(
        table({
          ProvisionedThroughput: { ReadCapacityUnits: '5x', WriteCapacityUnits: 1.5 },
          DeletionProtectionEnabled: 'yes',
        }),
      ),
      [
        [`${base}.ProvisionedThroughput.ReadCapacityUnits`, 'wrong-type'],
        [`${base}.ProvisionedThroughput.WriteCapacityUnits`, 'wrong-type'],
        [`${base}.DeletionProtectionEnabled`, 'wrong-type'],
      ],
    );
  });

  test('both branches of Fn::If are checked; AWS::NoValue removes a value, in a branch or a list', () => {
    assert.deepEqual(
      problemsOf(
        table({
          DeletionProtectionEnabled: { 'Fn::If': ['Prod', 'true', { Ref: 'AWS::NoValue' }] },
          PointInTimeRecoverySpecification: {
            'Fn::If': ['Prod', { PointInTimeRecoveryEnabled: true }, { Ref: 'AWS::NoValue' }],
          },
          Tags: [
            { 'Fn::If': ['Prod', { Key: 'stage', Value: 'prod' }, { Ref: 'AWS::NoValue' }] },
            { Ref: 'AWS::NoValue' },
          ],
        }),
      ),
      [],
    );
    assert.deepEqual(
      problemsOf(
        table({
          PointInTimeRecoverySpecification: { 'Fn::If': ['Prod', { PointInTimeRecoveryEnabld: true }, 'off'] },
          TableName: { 'Fn::If': ['Staging', 'a', 'b'] },
        }),
      ),
      [
        [`${base}.PointInTimeRecoverySpecification.Fn::If[1].PointInTimeRecoveryEnabld`, 'unknown-property'],
        [`${base}.PointInTimeRecoverySpecification.Fn::If[2]`, 'wrong-type'],
        [`${base}.TableName.Fn::If[0]`, 'unknown-condition'],
      ],
    );
    // A required property given AWS::NoValue is missing.
    assert.deepEqual(problemsOf(table({ KeySchema: { Ref: 'AWS::NoValue' } })), [
      [`${base}.KeySchema`, 'missing-property'],
    ]);
  });

  test('what an intrinsic function gives must fit: a list where a list is expected, one value where one is', () => {
    const stream = (source: Value): Json =>
      table(
        {},
        {
          Function: {
            Type: 'AWS::Lambda::Function',
            Properties: {
              Code: { ZipFile: 'exports.handler = async () => {}' },
              Role: { 'Fn::GetAtt': ['Table', 'Arn'] },
              Layers: source,
            },
          },
        },
      );
    // A list parameter, Fn::Split, Fn::GetAZs and Fn::If of lists are lists; FindInMap and Select may be anything.
    for (const source of [
      { Ref: 'Zones' },
      { 'Fn::Split': [',', { Ref: 'Stage' }] },
      { 'Fn::GetAZs': { Ref: 'AWS::Region' } },
      { 'Fn::FindInMap': ['Sizes', 'prod', 'Read'] },
      { 'Fn::If': ['Prod', [{ 'Fn::Join': [':', ['a', { Ref: 'AWS::Region' }]] }], { Ref: 'AWS::NoValue' }] },
    ]) {
      assert.deepEqual(problemsOf(stream(source)), [], JSON.stringify(source));
    }
    for (const source of [{ Ref: 'Stage' }, { 'Fn::Join': ['', ['a']] }, { 'Fn::GetAtt': ['Table', 'Arn'] }]) {
      assert.deepEqual(problemsOf(stream(source)), [['Resources.Function.Properties.Layers', 'wrong-type']]);
    }
    assert.deepEqual(problemsOf(table({ TableName: { 'Fn::Split': [',', 'a,b'] } })), [
      [`${base}.TableName`, 'wrong-type'],
    ]);
  });

  test('Fn::Sub: its own variables, escaped literals, and Resource.Attribute names checked like a GetAtt', () => {
    assert.deepEqual(
      problemsOf(
        table({
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
          TableName: { 'Fn::Sub': ['${Prefix}-${AWS::StackName}-${!Literal}-${Table.Arn}-${Stage}', { Prefix: 'x' }] },
        }),
      ),
      [],
    );
    assert.deepEqual(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
      problemsOf(table({ TableName: { 'Fn::Sub': '${Table.Arm}-${Suffix}' } })),
      [
        [`${base}.TableName.Fn::Sub`, 'unknown-attribute'],
        [`${base}.TableName.Fn::Sub`, 'unknown-reference'],
      ],
    );
  });

  test('JSON properties take anything, but their intrinsic functions are still checked', () => {
    const role = (document: Value) =>
      table({}, { Role: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: document } } });
    assert.deepEqual(problemsOf(role({ Version: '2012-10-17', Statement: [{ Anything: { Goes: [1, true] } }] })), []);
    assert.deepEqual(problemsOf(role({ Statement: [{ Resource: { 'Fn::GetAtt': ['Tabel', 'Arn'] } }] })), [
      ['Resources.Role.Properties.AssumeRolePolicyDocument.Statement[0].Resource.Fn::GetAtt', 'unknown-reference'],
    ]);
    assert.deepEqual(problemsOf(role({ Statement: { 'Fn::Joinn': ['', []] } })), [
      ['Resources.Role.Properties.AssumeRolePolicyDocument.Statement.Fn::Joinn', 'invalid-function'],
    ]);
  });

  test('a nested attribute, and any attribute of a custom resource (which takes any property)', () => {
    const template = table(
      {},
      {
        Function: {
          Type: 'AWS::Lambda::Function',
          Properties: { Code: { ZipFile: 'x' }, Role: 'arn:aws:iam::123456789012:role/x' },
        },
        Seed: {
          Type: 'Custom::Seed',
          Properties: { ServiceToken: { 'Fn::GetAtt': 'Function.Arn' }, Rows: [{ id: 1 }] },
        },
      },
    );
    const resources = template.Resources as { [key: string]: { [key: string]: Value } };
    Object.assign(resources.Table?.Properties as object, {
      TableName: { 'Fn::GetAtt': ['Function', 'SnapStartResponse.ApplyOn'] },
      TableClass: { 'Fn::GetAtt': ['Seed', 'Anything'] },
    });
    assert.deepEqual(problemsOf(template), []);
    delete resources.Seed?.Properties;
    assert.deepEqual(problemsOf(template), [['Resources.Seed.Properties.ServiceToken', 'missing-property']]);
  });

  test('conditions: only condition functions, only parameters, only defined conditions', () => {
    const template = table({});
    Object.assign(template.Conditions as object, {
      Bad: { 'Fn::And': [{ Condition: 'Prod' }, { Condition: 'Nope' }] },
      OnResource: { 'Fn::Equals': [{ Ref: 'Table' }, 'x'] },
      NotAFunction: { 'Fn::Join': ['', ['a']] },
    });
    assert.deepEqual(problemsOf(template), [
      ['Conditions.Bad.Fn::And[1].Condition', 'unknown-condition'],
      ['Conditions.OnResource.Fn::Equals[0].Ref', 'invalid-reference'],
      ['Conditions.NotAFunction', 'invalid-function'],
    ]);
    assert.deepEqual(problemsOf(table({ DeletionProtectionEnabled: { 'Fn::Equals': ['a', 'a'] } })), [
      [`${base}.DeletionProtectionEnabled.Fn::Equals`, 'invalid-function'],
    ]);
  });

  test('FindInMap names a mapping and its keys; sections and logical IDs are checked', () => {
    assert.deepEqual(
      problemsOf(
        table({
          ProvisionedThroughput: {
            ReadCapacityUnits: { 'Fn::FindInMap': ['Sizes', 'prod', 'Reed'] },
            WriteCapacityUnits: { 'Fn::FindInMap': ['Size', 'prod', 'Read'] },
          },
        }),
      ),
      [
        [`${base}.ProvisionedThroughput.ReadCapacityUnits.Fn::FindInMap[2]`, 'unknown-reference'],
        [`${base}.ProvisionedThroughput.WriteCapacityUnits.Fn::FindInMap[0]`, 'unknown-reference'],
      ],
    );
    const template = table({}, { 'My-Bucket': { Type: 'AWS::S3::Bucket' } });
    Object.assign(template, { Output: {} });
    assert.deepEqual(problemsOf(template), [
      ['Output', 'unknown-section'],
      ['Resources.My-Bucket', 'invalid-name'],
    ]);
  });
});
