/**
 * What makes the packaged stack operable and hard to misuse: alarms reporting to a topic, the API's access log,
 * throttling, CORS origins, reserved concurrency, tracing, the table's deletion protection, optional MFA, log
 * permissions on exact log groups, stage parameters checked before packaging, and a `.serverless/` of the user's that
 * packaging for tests never touches. Each configuration is packaged once and shared by its tests.
 */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdir, readdir, readFile, rm, rmdir, stat, writeFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { PROJECT_ROOT } from '../../local/paths.js';
import {
  type CfnResource,
  type CfnTemplate,
  type Packaged,
  packageService,
  resourcesOfType,
} from '../../tools/package.js';
import { declaredFunctions } from '../support/handlers.js';

const FUNCTIONS = declaredFunctions();
const logicalId = (name: string, suffix: string) => `${name[0]?.toUpperCase()}${name.slice(1)}${suffix}`;

/** The parameters of the tuned stack, with the values they must produce. */
const TUNED = {
  tracing: 'true',
  alarmEmail: 'ops@example.com',
  reservedConcurrency: '5',
  corsAllowedOrigins: 'https://app.example.com, https://admin.example.com:8443',
  throttlingRateLimit: '20.5',
  throttlingBurstLimit: '40',
  latencyP99Ms: '900',
  api5xxRatePercent: '2',
};

type Json = string | number | boolean | null | Json[] | { [key: string]: Json };
type Statement = { Effect: string; Action: string | string[]; Resource: Json };

const props = <T = Record<string, Json>>(resource: CfnResource | undefined): T => {
  assert.ok(resource, 'resource exists');
  return resource.Properties as T;
};
const list = <T>(value: T | T[] | undefined): T[] =>
  value === undefined ? [] : Array.isArray(value) ? value : [value];
const getAtt = (id: string) => ({ 'Fn::GetAtt': [id, 'Arn'] });

/** Evaluates a CloudFormation condition whose values are all known at package time (Fn::Not, Fn::Equals, …). */
function evaluate(template: CfnTemplate, node: Json): Json {
  if (node === null || typeof node !== 'object' || Array.isArray(node)) return node;
  const [[fn, args]] = Object.entries(node) as [[string, Json]];
  const values = list(args).map((arg) => evaluate(template, arg));
  switch (fn) {
    case 'Fn::Not':
      return !values[0];
    case 'Fn::Equals':
      return String(values[0]) === String(values[1]);
    case 'Fn::And':
      return values.every(Boolean);
    case 'Fn::Or':
      return values.some(Boolean);
    case 'Condition':
      return isTrue(template, String(args));
  }
  throw new Error(`cannot evaluate ${fn} at package time`);
}
const isTrue = (template: CfnTemplate, name: string) => {
  const condition = template.Conditions?.[name] as Json | undefined;
  assert.ok(condition !== undefined, `condition ${name} exists`);
  return evaluate(template, condition) === true;
};

/** Every statement of every IAM role's inline policies, with the role; a policy under Fn::If only when it applies. */
function roleStatements(template: CfnTemplate): Array<[string, Statement]> {
  return resourcesOfType(template, 'AWS::IAM::Role').flatMap(([id, role]) =>
    list(role.Properties.Policies as Json[]).flatMap((policy) => {
      let applied = policy as { [key: string]: Json };
      const conditional = applied['Fn::If'] as [string, Json, Json] | undefined;
      if (conditional) applied = (isTrue(template, conditional[0]) ? conditional[1] : conditional[2]) as typeof applied;
      if ('Ref' in applied) return []; // AWS::NoValue
      const document = applied.PolicyDocument as { Statement: Statement[] };
      return document.Statement.map((statement): [string, Statement] => [id, statement]);
    }),
  );
}

/** The alarms of a template, by logical id. */
const alarms = (template: CfnTemplate) => new Map(resourcesOfType(template, 'AWS::CloudWatch::Alarm'));

interface MetricQuery {
  Id: string;
  Expression?: string;
  ReturnData?: boolean;
  MetricStat?: { Stat: string; Period: number; Metric: { Namespace: string; MetricName: string; Dimensions: Json } };
}

/** A snapshot of a directory tree: each file's path, size, time of change and contents. */
async function snapshot(dir: string): Promise<Map<string, string>> {
  const files = new Map<string, string>();
  for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
    const path = join(entry.parentPath, entry.name);
    const info = await stat(path);
    const content = entry.isFile() ? (await readFile(path)).toString('base64') : 'dir';
    files.set(relative(dir, path), `${info.size} ${info.mtimeMs} ${content}`);
  }
  return files;
}

describe('the packaged stack, hardened and watched', () => {
  // The user's own build (`npm run package`), which packaging for tests must leave as it is. Only the sentinel file is
  // ours: an existing directory keeps everything else.
  const userDir = join(PROJECT_ROOT, '.serverless');
  const sentinel = join(userDir, `sentinel-${process.pid}`);
  let createdUserDir = false;
  let userDirBefore: Map<string, string>;

  let defaults: Packaged;
  let tuned: Packaged;

  before(async () => {
    createdUserDir = !existsSync(userDir);
    await mkdir(userDir, { recursive: true });
    await writeFile(sentinel, 'a build of the user\n');
    userDirBefore = await snapshot(userDir);
    [defaults, tuned] = await Promise.all([
      packageService('test'),
      packageService(
        'test',
        Object.entries(TUNED).map(([name, value]) => `--param=${name}=${value}`),
      ),
    ]);
  });

  after(async () => {
    await Promise.all([defaults?.remove(), tuned?.remove()]);
    await rm(sentinel, { force: true });
    // Only a directory this test made, and only if nobody else wrote into it meanwhile.
    if (createdUserDir) await rmdir(userDir).catch(() => undefined);
  });

  test("packaging for tests and the bench leaves the project's .serverless/ exactly as it was", async () => {
    assert.deepEqual(await snapshot(userDir), userDirBefore);
    assert.equal(await readFile(sentinel, 'utf8'), 'a build of the user\n');
  });

  describe('alarms', () => {
    test('every function has an Errors and a Throttles alarm on its own metrics', () => {
      const all = alarms(defaults.template);
      for (const { name } of FUNCTIONS) {
        for (const metric of ['Errors', 'Throttles']) {
          const alarm = props(all.get(logicalId(name, `${metric}Alarm`)));
          assert.equal(alarm.Namespace, 'AWS/Lambda');
          assert.equal(alarm.MetricName, metric);
          assert.deepEqual(alarm.Dimensions, [
            { Name: 'FunctionName', Value: { Ref: logicalId(name, 'LambdaFunction') } },
          ]);
          assert.equal(alarm.Statistic, 'Sum');
          assert.equal(alarm.Threshold, 1);
          assert.equal(alarm.ComparisonOperator, 'GreaterThanOrEqualToThreshold');
          assert.equal(alarm.TreatMissingData, 'notBreaching');
        }
      }
    });

    test("the API's 5xx rate: 5xx over Count on the API, above api5xxRatePercent", () => {
      for (const [packaged, threshold] of [
        [defaults, 5],
        [tuned, 2],
      ] as const) {
        const alarm = props<{ Metrics: MetricQuery[]; Threshold: number; ComparisonOperator: string }>(
          alarms(packaged.template).get('Api5xxRateAlarm'),
        );
        const byMetric = new Map(
          alarm.Metrics.filter((m) => m.MetricStat).map((m) => [m.MetricStat?.Metric.MetricName, m]),
        );
        for (const name of ['5xx', 'Count']) {
          const metric = byMetric.get(name)?.MetricStat;
          assert.equal(metric?.Metric.Namespace, 'AWS/ApiGateway');
          assert.deepEqual(metric?.Metric.Dimensions, [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }]);
          assert.equal(metric?.Stat, 'Sum');
        }
        const [rate, ...others] = alarm.Metrics.filter((m) => m.ReturnData !== false);
        assert.equal(others.length, 0, 'one series is alarmed on');
        assert.match(
          String(rate?.Expression),
          new RegExp(`100 \\* .*${byMetric.get('5xx')?.Id}.* / ${byMetric.get('Count')?.Id}`),
        );
        assert.equal(alarm.Threshold, threshold);
        assert.equal(alarm.ComparisonOperator, 'GreaterThanThreshold');
      }
    });

    test("the API's p99 latency, above latencyP99Ms", () => {
      for (const [packaged, threshold] of [
        [defaults, 1500],
        [tuned, 900],
      ] as const) {
        const alarm = props(alarms(packaged.template).get('ApiLatencyP99Alarm'));
        assert.equal(alarm.Namespace, 'AWS/ApiGateway');
        assert.equal(alarm.MetricName, 'Latency');
        assert.equal(alarm.ExtendedStatistic, 'p99');
        assert.equal(alarm.Statistic, undefined);
        assert.deepEqual(alarm.Dimensions, [{ Name: 'ApiId', Value: { Ref: 'HttpApi' } }]);
        assert.equal(alarm.Threshold, threshold);
      }
    });

    test("the table's throttled requests and system errors, summed over every operation the functions may call", () => {
      const role = roleStatements(defaults.template).filter(([id]) => id === 'IamRoleLambdaExecution');
      const allowed = role
        .flatMap(([, s]) => list(s.Action))
        .filter((action) => action.startsWith('dynamodb:'))
        .map((action) => action.slice('dynamodb:'.length))
        .sort();
      assert.ok(allowed.length > 0);
      for (const [id, metricName] of [
        ['TodosTableThrottlesAlarm', 'ThrottledRequests'],
        ['TodosTableSystemErrorsAlarm', 'SystemErrors'],
      ] as const) {
        const alarm = props<{ Metrics: MetricQuery[]; Threshold: number }>(alarms(defaults.template).get(id));
        const operations = alarm.Metrics.flatMap((query) => {
          if (!query.MetricStat) return [];
          const { Metric } = query.MetricStat;
          assert.equal(Metric.Namespace, 'AWS/DynamoDB');
          assert.equal(Metric.MetricName, metricName);
          const dimensions = Metric.Dimensions as Array<{ Name: string; Value: Json }>;
          assert.deepEqual(dimensions[0], { Name: 'TableName', Value: { Ref: 'TodosTable' } });
          assert.equal(dimensions[1]?.Name, 'Operation');
          assert.equal(query.ReturnData, false);
          return [String(dimensions[1]?.Value)];
        });
        assert.deepEqual(operations.sort(), allowed, `${id} watches every operation the role allows`);
        const sums = alarm.Metrics.filter((query) => query.ReturnData !== false);
        assert.deepEqual(
          sums.map((query) => query.Expression),
          ['SUM(METRICS())'],
        );
        assert.equal(alarm.Threshold, 1);
      }
    });

    test("every alarm reports to the stack's topic as it goes off and as it clears", () => {
      assert.equal(defaults.template.Resources.AlarmTopic?.Type, 'AWS::SNS::Topic');
      const all = alarms(defaults.template);
      assert.ok(all.size >= FUNCTIONS.length * 2 + 4);
      for (const [id, alarm] of all) {
        assert.deepEqual(alarm.Properties.AlarmActions, [{ Ref: 'AlarmTopic' }], id);
        assert.deepEqual(alarm.Properties.OKActions, [{ Ref: 'AlarmTopic' }], id);
      }
    });

    test('the topic e-mails alarmEmail only when it is set', () => {
      for (const packaged of [defaults, tuned]) {
        const subscriptions = resourcesOfType(packaged.template, 'AWS::SNS::Subscription');
        assert.equal(subscriptions.length, 1);
        const [[, subscription]] = subscriptions as [[string, CfnResource]];
        assert.ok(subscription.Condition, 'the subscription is conditional');
        assert.equal(isTrue(packaged.template, subscription.Condition), packaged === tuned);
        assert.deepEqual(subscription.Properties.TopicArn, { Ref: 'AlarmTopic' });
        assert.equal(subscription.Properties.Protocol, 'email');
      }
      const [[, subscription]] = resourcesOfType(tuned.template, 'AWS::SNS::Subscription') as [[string, CfnResource]];
      assert.equal(subscription.Properties.Endpoint, TUNED.alarmEmail);
    });
  });

  test("the API's access log: one JSON object per request, with the fields to trace it, and no header", () => {
    const stage = defaults.template.Resources.HttpApiStage;
    const { AccessLogSettings } = props<{ AccessLogSettings: { DestinationArn: Json; Format: string } }>(stage);
    assert.deepEqual(AccessLogSettings.DestinationArn, getAtt('HttpApiLogGroup'));
    const group = props(defaults.template.Resources.HttpApiLogGroup);
    assert.ok(Number(group.RetentionInDays) > 0);
    const format = JSON.parse(AccessLogSettings.Format) as Record<string, string>;
    assert.deepEqual(
      Object.fromEntries(
        [
          'requestId',
          'ip',
          'requestTime',
          'httpMethod',
          'routeKey',
          'status',
          'protocol',
          'responseLength',
          'integrationLatency',
          'responseLatency',
          'integrationError',
          'authorizerError',
        ].map((field) => [field, format[field]]),
      ),
      {
        requestId: '$context.requestId',
        ip: '$context.identity.sourceIp',
        requestTime: '$context.requestTime',
        httpMethod: '$context.httpMethod',
        routeKey: '$context.routeKey',
        status: '$context.status',
        protocol: '$context.protocol',
        responseLength: '$context.responseLength',
        integrationLatency: '$context.integrationLatency',
        responseLatency: '$context.responseLatency',
        integrationError: '$context.integrationErrorMessage',
        authorizerError: '$context.authorizer.error',
      },
    );
    // No request header (a token), and no claim of the caller's token.
    assert.doesNotMatch(AccessLogSettings.Format, /header|authorization|claims/i);
  });

  test("the stage's throttling: defaults, and the parameters", () => {
    const settings = (packaged: Packaged) =>
      props<{ DefaultRouteSettings: Record<string, Json> }>(packaged.template.Resources.HttpApiStage)
        .DefaultRouteSettings;
    assert.deepEqual(settings(defaults), {
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 100,
      ThrottlingBurstLimit: 200,
    });
    assert.deepEqual(settings(tuned), {
      DetailedMetricsEnabled: false,
      ThrottlingRateLimit: 20.5,
      ThrottlingBurstLimit: 40,
    });
  });

  test('CORS origins: any by default, the listed ones with corsAllowedOrigins', () => {
    const origins = (packaged: Packaged) =>
      props<{ CorsConfiguration: { AllowOrigins: string[] } }>(packaged.template.Resources.HttpApi).CorsConfiguration
        .AllowOrigins;
    assert.deepEqual(origins(defaults), ['*']);
    assert.deepEqual(origins(tuned), ['https://app.example.com', 'https://admin.example.com:8443']);
  });

  test('reserved concurrency: none by default, reservedConcurrency for every function', () => {
    for (const { name } of FUNCTIONS) {
      const id = logicalId(name, 'LambdaFunction');
      assert.equal(props(defaults.template.Resources[id]).ReservedConcurrentExecutions, undefined, name);
      assert.equal(props(tuned.template.Resources[id]).ReservedConcurrentExecutions, 5, name);
    }
  });

  test('tracing: off by default; with tracing=true every function is traced and every role may send traces', () => {
    for (const { name } of FUNCTIONS) {
      const id = logicalId(name, 'LambdaFunction');
      assert.equal(props(defaults.template.Resources[id]).TracingConfig, undefined, name);
      assert.deepEqual(props(tuned.template.Resources[id]).TracingConfig, { Mode: 'Active' }, name);
    }
    const xray = (packaged: Packaged) =>
      [
        ...new Set(
          roleStatements(packaged.template)
            .filter(([, s]) => list(s.Action).includes('xray:PutTraceSegments'))
            .map(([role]) => role),
        ),
      ].sort();
    assert.deepEqual(xray(defaults), []);
    assert.deepEqual(xray(tuned), ['IamRoleLambdaExecution', 'PublicFunctionRole']);
  });

  test('the table cannot be deleted by mistake', () => {
    const table = defaults.template.Resources.TodosTable;
    assert.equal(props(table).DeletionProtectionEnabled, true);
    assert.equal(table?.DeletionPolicy, 'Retain');
  });

  test('users may add a second factor (TOTP); nobody must; the pool cannot be deleted by mistake', () => {
    const pool = props(defaults.template.Resources.UserPool);
    assert.equal(pool.MfaConfiguration, 'OPTIONAL');
    assert.deepEqual(pool.EnabledMfas, ['SOFTWARE_TOKEN_MFA']);
    assert.equal(pool.DeletionProtection, 'ACTIVE');
    assert.equal(defaults.template.Resources.UserPool?.DeletionPolicy, 'Retain');
  });

  describe('permissions', () => {
    test('no function may create or tag a log group', () => {
      for (const packaged of [defaults, tuned]) {
        const text = JSON.stringify(packaged.template);
        assert.ok(!text.includes('logs:CreateLogGroup'));
        assert.ok(!text.includes('logs:TagResource'));
      }
    });

    test('every function may write its own log group, each role only those of its functions', () => {
      const byRole = new Map<string, Json[]>();
      for (const { name } of FUNCTIONS) {
        const fn = props<{ Role: { 'Fn::GetAtt': [string, string] } }>(
          defaults.template.Resources[logicalId(name, 'LambdaFunction')],
        );
        const role = fn.Role['Fn::GetAtt'][0];
        byRole.set(role, [...(byRole.get(role) ?? []), getAtt(logicalId(name, 'LogGroup'))]);
      }
      const statements = roleStatements(defaults.template);
      for (const [role, groups] of byRole) {
        const logs = statements.filter(([id, s]) => id === role && list(s.Action).some((a) => a.startsWith('logs:')));
        assert.equal(logs.length, 1, role);
        const [, statement] = logs[0] as [string, Statement];
        assert.deepEqual(list(statement.Action).sort(), ['logs:CreateLogStream', 'logs:PutLogEvents']);
        assert.deepEqual(list(statement.Resource), groups, role);
      }
    });

    test("every Allow names exact resources (no *), save X-Ray's actions, which have none to name", () => {
      const exact = (resource: Json) =>
        typeof resource === 'string'
          ? !resource.includes('*')
          : resource !== null && typeof resource === 'object' && ('Ref' in resource || 'Fn::GetAtt' in resource);
      for (const packaged of [defaults, tuned]) {
        for (const [role, statement] of roleStatements(packaged.template)) {
          if (statement.Effect !== 'Allow') continue;
          const actions = list(statement.Action);
          assert.ok(!actions.some((action) => action.includes('*')), `${role}: ${actions}`);
          if (actions.every((action) => action.startsWith('xray:'))) continue;
          for (const resource of list(statement.Resource)) {
            assert.ok(exact(resource), `${role}: ${JSON.stringify(resource)} for ${actions}`);
          }
        }
      }
    });
  });

  describe('stage parameters are checked before packaging', () => {
    const refusals: Array<[string[], string]> = [
      [['--param=auth=cognitto'], 'Parameter "auth" must be cognito, oidc or none, not "cognitto".'],
      [
        ['--param=auth=oidc'],
        'auth=oidc needs the parameters "jwtIssuer" (the issuer\'s https URL) and "jwtAudience" (the client id its tokens carry): --param="jwtIssuer=...".',
      ],
      [
        ['--param=auth=oidc', '--param=jwtIssuer=https://issuer.example.com'],
        'auth=oidc needs the parameter "jwtAudience" (the client id its tokens carry): --param="jwtAudience=...".',
      ],
      [
        ['--param=auth=oidc', '--param=jwtAudience=client-1'],
        'auth=oidc needs the parameter "jwtIssuer" (the issuer\'s https URL): --param="jwtIssuer=...".',
      ],
      [
        ['--param=auth=oidc', '--param=jwtIssuer=http://issuer.example.com', '--param=jwtAudience=client-1'],
        'Parameter "jwtIssuer" must be the issuer\'s https URL (the tokens\' iss), not "http://issuer.example.com".',
      ],
      [['--param=requireIfMatch=yes'], 'Parameter "requireIfMatch" must be true or false, not "yes".'],
      [['--param=tracing=on'], 'Parameter "tracing" must be true or false, not "on".'],
      [['--param=latencyP99Ms=fast'], 'Parameter "latencyP99Ms" must be a whole number from 100 to 30000, not "fast".'],
      [['--param=throttlingRateLimit=0'], 'Parameter "throttlingRateLimit" must be a number from 1 to 10000, not "0".'],
      [
        ['--param=reservedConcurrency=2.5'],
        'Parameter "reservedConcurrency" must be empty or a whole number from 1 to 1000, not "2.5".',
      ],
      [['--param=alarmEmail=ops'], 'Parameter "alarmEmail" must be an e-mail address or empty, not "ops".'],
      [
        ['--param=corsAllowedOrigins=https://app.example.com/'],
        'Parameter "corsAllowedOrigins" must be * or a comma-separated list of origins such as https://app.example.com (scheme, host and port only), not "https://app.example.com/".',
      ],
    ];

    test('a wrong value stops osls with one line naming the parameter and what it may be', async () => {
      await Promise.all(
        refusals.map(([args, message]) =>
          assert.rejects(packageService('test', args), (error: { code?: unknown; stdout?: string }) => {
            assert.equal(typeof error.code, 'number', args.join(' '));
            assert.notEqual(error.code, 0);
            const lines = String(error.stdout).split('\n');
            // osls prints "Error:", then the message, and nothing of its own variable resolution.
            assert.equal(lines[lines.indexOf('Error:') + 1], message, args.join(' '));
            assert.doesNotMatch(String(error.stdout), /Cannot resolve variable/);
            return true;
          }),
        ),
      );
    });

    test('a parameter serverless.yml does not declare is refused', async () => {
      await assert.rejects(
        packageService('test', ['--param=requireIfmatch=true']),
        (error: { code?: unknown; stdout?: string }) => {
          assert.notEqual(error.code, 0);
          const lines = String(error.stdout).split('\n');
          assert.match(
            lines[lines.indexOf('Error:') + 1] ?? '',
            /^Unknown parameter "requireIfmatch": serverless\.yml declares .*\brequireIfMatch\b.* \(params\.default\)\.$/,
          );
          return true;
        },
      );
    });
  });
});
