/**
 * The packaged templates of every auth mode, held to CloudFormation's resource specification (tools/cfn-spec.ts,
 * over the AWS CDK's `@aws-cdk/aws-service-spec`): nothing here can deploy, so this is what would find a misspelt
 * property or a dangling reference before a deploy. Broken copies of a real template show that it would.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { cfnSpec, type Problem, validateTemplate } from '../../tools/cfn-spec.js';
import { type CfnTemplate, type Packaged, packageService } from '../../tools/package.js';

const MODES: Record<string, string[]> = {
  cognito: [],
  oidc: ['--param=auth=oidc', '--param=jwtIssuer=https://login.example.com', '--param=jwtAudience=my-client'],
  none: ['--param=auth=none'],
  // Every optional part switched on: the e-mail subscription, tracing, reserved concurrency, narrowed CORS, a public
  // URL and the web page's own sign-in addresses.
  everything: [
    '--param=alarmEmail=ops@example.com',
    '--param=tracing=true',
    '--param=reservedConcurrency=5',
    '--param=corsAllowedOrigins=https://todos.example.com,https://admin.example.com',
    '--param=publicBaseUrl=https://api.example.com',
    '--param=callbackUrls=https://todos.example.com/,http://localhost:5173/',
  ],
};

type Json = Parameters<typeof validateTemplate>[0];
const packaged = new Map<string, Packaged>();
let cognito: Json;

before(async () => {
  cfnSpec();
  const results = await Promise.all(
    Object.entries(MODES).map(async ([mode, args]) => [mode, await packageService('spec', args)] as const),
  );
  for (const [mode, result] of results) packaged.set(mode, result);
  cognito = (packaged.get('cognito') as Packaged).template as unknown as Json;
});

after(async () => {
  await Promise.all([...packaged.values()].map((result) => result.remove()));
});

const show = (problems: Problem[]) => problems.map((p) => `${p.path}: ${p.message}`).join('\n');

/** A deep copy of the cognito template, changed by `change`. */
function broken(change: (template: CfnTemplate & { [key: string]: unknown }) => void): Json {
  const copy = structuredClone(cognito) as unknown as CfnTemplate & { [key: string]: unknown };
  change(copy);
  return copy as unknown as Json;
}

/** `template` has exactly these problems: each at its path, with a message that matches. */
function assertProblems(template: Json, expected: Array<[string, RegExp]>): void {
  const problems = validateTemplate(template);
  assert.deepEqual(
    problems.map((p) => p.path),
    expected.map(([path]) => path),
    show(problems),
  );
  expected.forEach(([, message], i) => {
    assert.match(problems[i]?.message ?? '', message);
  });
}

/** `template` has exactly one problem, at `path`, whose message matches `message`. */
function assertOneProblem(template: Json, path: string, message: RegExp): void {
  assertProblems(template, [[path, message]]);
}

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

describe('a broken copy is caught', () => {
  const props = (t: CfnTemplate, id: string) => t.Resources[id]?.Properties as Record<string, unknown>;

  test('a misspelt property', () => {
    const template = broken((t) => {
      const table = props(t, 'TodosTable');
      table.BillingMod = table.BillingMode;
      delete table.BillingMode;
    });
    assertOneProblem(template, 'Resources.TodosTable.Properties.BillingMod', /unknown property/);
  });

  test('a misspelt nested property, in a list item and in a function environment', () => {
    assertProblems(
      broken((t) => {
        const [first] = props(t, 'TodosTable').KeySchema as Array<Record<string, unknown>>;
        if (first) {
          first.AttributeNme = first.AttributeName;
          delete first.AttributeName;
        }
      }),
      [
        ['Resources.TodosTable.Properties.KeySchema[0].AttributeName', /is required/],
        ['Resources.TodosTable.Properties.KeySchema[0].AttributeNme', /unknown property/],
      ],
    );
    assertOneProblem(
      broken((t) => {
        const environment = props(t, 'CreateTodoLambdaFunction').Environment as Record<string, unknown>;
        environment.Variable = environment.Variables;
        delete environment.Variables;
      }),
      'Resources.CreateTodoLambdaFunction.Properties.Environment.Variable',
      /unknown property/,
    );
  });

  test('a missing required property', () => {
    assertOneProblem(
      broken((t) => {
        delete props(t, 'CreateTodoLambdaFunction').Role;
      }),
      'Resources.CreateTodoLambdaFunction.Properties.Role',
      /is required/,
    );
  });

  test('a value of the wrong type', () => {
    assertOneProblem(
      broken((t) => {
        props(t, 'TodosTable').AttributeDefinitions = 'owner';
      }),
      'Resources.TodosTable.Properties.AttributeDefinitions',
      /must be a list/,
    );
    assertOneProblem(
      broken((t) => {
        props(t, 'TodosTable').TableName = { name: 'todos' };
      }),
      'Resources.TodosTable.Properties.TableName',
      /must be a string/,
    );
    assertOneProblem(
      broken((t) => {
        props(t, 'CreateTodoLambdaFunction').MemorySize = 'lots';
      }),
      'Resources.CreateTodoLambdaFunction.Properties.MemorySize',
      /must be an integer/,
    );
  });

  test('an unknown resource type', () => {
    assertOneProblem(
      broken((t) => {
        (t.Resources.TodosTable as { Type: string }).Type = 'AWS::DynamoDB::Tabel';
      }),
      'Resources.TodosTable.Type',
      /is not a CloudFormation resource type/,
    );
  });

  test('a Ref, a GetAtt and a Sub naming what does not exist', () => {
    assertOneProblem(
      broken((t) => {
        const variables = (props(t, 'CreateTodoLambdaFunction').Environment as { Variables: Record<string, unknown> })
          .Variables;
        variables.TABLE_NAME = { Ref: 'TodoTable' };
      }),
      'Resources.CreateTodoLambdaFunction.Properties.Environment.Variables.TABLE_NAME.Ref',
      /Ref of TodoTable/,
    );
    assertOneProblem(
      broken((t) => {
        (t.Outputs as Record<string, unknown>).Broken = { Value: { 'Fn::GetAtt': ['TodosTable', 'Arm'] } };
      }),
      'Outputs.Broken.Value.Fn::GetAtt',
      /has no attribute Arm/,
    );
    assertOneProblem(
      broken((t) => {
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
        (t.Outputs as Record<string, unknown>).Broken = { Value: { 'Fn::Sub': 'arn:${AWS::Partition}:x:${UserPol}' } };
      }),
      'Outputs.Broken.Value.Fn::Sub',
      /Sub of UserPol/,
    );
  });
});

describe('intrinsic functions and CloudFormation tolerance', () => {
  const table = (properties: Record<string, Json>): Json => ({
    Conditions: { Prod: { 'Fn::Equals': ['a', 'b'] } },
    Resources: {
      Table: {
        Type: 'AWS::DynamoDB::Table',
        Properties: {
          KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
          AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
          ...properties,
        },
      },
    },
  });

  test('both branches of Fn::If are checked, AWS::NoValue is allowed, numbers and booleans may be strings', () => {
    assert.deepEqual(
      validateTemplate(
        table({
          DeletionProtectionEnabled: { 'Fn::If': ['Prod', 'true', { Ref: 'AWS::NoValue' }] },
          ProvisionedThroughput: { ReadCapacityUnits: '5', WriteCapacityUnits: 5 },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
          TableName: { 'Fn::Sub': '${AWS::StackName}-${!Literal}-${Suffix}', ...{} },
        }),
      ).map((p) => p.path),
      ['Resources.Table.Properties.TableName.Fn::Sub'],
      'only the Sub of an undefined name',
    );
    const inBranch = validateTemplate(
      table({ PointInTimeRecoverySpecification: { 'Fn::If': ['Prod', { PointInTimeRecoveryEnabld: true }, {}] } }),
    );
    assert.deepEqual(
      inBranch.map((p) => p.path),
      ['Resources.Table.Properties.PointInTimeRecoverySpecification.Fn::If[1].PointInTimeRecoveryEnabld'],
    );
  });

  test("a Sub's own variables are names it may use", () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation's own ${} syntax
    const template = table({ TableName: { 'Fn::Sub': ['${Prefix}-todos', { Prefix: 'x' }] } });
    assert.deepEqual(validateTemplate(template), []);
  });

  test('an undefined Condition, on a resource or inside Fn::If, is caught', () => {
    const template = table({ TableName: { 'Fn::If': ['Staging', 'a', 'b'] } });
    const resources = template.Resources as unknown as Record<string, Record<string, unknown>>;
    resources.Table = { ...resources.Table, Condition: 'Nope' };
    assert.deepEqual(
      validateTemplate(template).map((p) => p.path),
      ['Resources.Table.Condition', 'Resources.Table.Properties.TableName.Fn::If'],
    );
  });
});
