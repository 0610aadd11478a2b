'use strict';
/**
 * osls plugin: two edits of the compiled CloudFormation template that serverless.yml cannot express by itself, made
 * once every resource is in it (after osls merges serverless.yml's `resources`).
 *
 * 1. Log permissions on exact log groups. osls gives its role (IamRoleLambdaExecution) logs:CreateLogGroup,
 *    logs:TagResource, logs:CreateLogStream and logs:PutLogEvents on every log group whose name starts with the
 *    stack's prefix. The log groups are resources of the stack, so the functions never create or tag one: the role
 *    gets logs:CreateLogStream and logs:PutLogEvents on the log groups of exactly the functions that use it (each
 *    `!GetAtt <Function>LogGroup.Arn`), nothing else. A function with a role of serverless.yml's own (`role:`) must be
 *    granted the same by that role; packaging stops, naming what to add, when it is not (a function that cannot log
 *    is found on AWS only when it fails).
 * 2. One CloudWatch alarm per function and metric of `custom.alarms.perFunction`, reporting to `custom.alarms.topic`,
 *    so that every function, including one added later, is watched, and each alarm names the function at fault.
 * 3. Numbers from stage parameters given on the command line arrive as strings ("50"); the alarms' thresholds and the
 *    stage's throttling are written as numbers, whichever way they were given.
 */

const LOG_ACTIONS = ['logs:CreateLogStream', 'logs:PutLogEvents'];
// What osls's own log statements may hold; only statements made of these alone, on /aws/lambda/ groups, are replaced.
const OSLS_LOG_ACTIONS = new Set([...LOG_ACTIONS, 'logs:CreateLogGroup', 'logs:TagResource']);

const list = (value) => (value === undefined ? [] : Array.isArray(value) ? value : [value]);
const isPlainObject = (value) => value !== null && typeof value === 'object' && !Array.isArray(value);
const getAtt = (logicalId) => ({ 'Fn::GetAtt': [logicalId, 'Arn'] });
const sameGetAtt = (resource, logicalId) =>
  isPlainObject(resource) &&
  Array.isArray(resource['Fn::GetAtt']) &&
  resource['Fn::GetAtt'][0] === logicalId &&
  resource['Fn::GetAtt'][1] === 'Arn';

/** osls's generated log statements: log actions only, on `arn:…:log-group:/aws/lambda/…` patterns. */
function isOslsLogStatement(statement) {
  const actions = list(statement.Action);
  return (
    statement.Effect === 'Allow' &&
    actions.length > 0 &&
    actions.every((action) => OSLS_LOG_ACTIONS.has(action)) &&
    list(statement.Resource).every((resource) => JSON.stringify(resource).includes(':log-group:/aws/lambda/'))
  );
}

/** The statements of a role's inline policies (a policy under Fn::If, present or not, is read in both forms). */
function statementsOf(role) {
  return list(role?.Properties?.Policies).flatMap((policy) => {
    const candidates = isPlainObject(policy) && Array.isArray(policy['Fn::If']) ? policy['Fn::If'].slice(1) : [policy];
    return candidates.flatMap((candidate) => list(candidate?.PolicyDocument?.Statement));
  });
}

class Hardening {
  constructor(serverless) {
    this.serverless = serverless;
    this.provider = serverless.getProvider('aws');
    this.hooks = {
      'after:aws:package:finalize:mergeCustomProviderResources': () => this.harden(),
    };
  }

  harden() {
    const template = this.serverless.service.provider.compiledCloudFormationTemplate;
    this.narrowLogPermissions(template);
    this.addFunctionAlarms(template);
    this.writeNumbers(template);
  }

  writeNumbers(template) {
    const numeric = (object, keys) => {
      for (const key of keys) {
        if (typeof object?.[key] === 'string' && /^-?\d+(\.\d+)?$/.test(object[key])) object[key] = Number(object[key]);
      }
    };
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type === 'AWS::CloudWatch::Alarm') numeric(resource.Properties, ['Threshold']);
      if (resource.Type === 'AWS::ApiGatewayV2::Stage') {
        numeric(resource.Properties?.DefaultRouteSettings, ['ThrottlingRateLimit', 'ThrottlingBurstLimit']);
      }
    }
  }

  narrowLogPermissions(template) {
    const { service } = this.serverless;
    const naming = this.provider.naming;
    /** role logical id -> the log groups of the functions that use it */
    const logGroupsByRole = new Map();
    for (const name of service.getAllFunctions()) {
      const fn = service.getFunction(name);
      if (fn.disableLogs) continue;
      const role = this.provider.resolveFunctionIamRoleResourceName(fn);
      if (!role) continue; // a role from outside the stack: not this template's to check
      const groups = logGroupsByRole.get(role) ?? [];
      groups.push([name, naming.getLogGroupLogicalId(name)]);
      logGroupsByRole.set(role, groups);
    }

    const oslsRoleId = naming.getRoleLogicalId();
    for (const [roleId, groups] of logGroupsByRole) {
      const role = template.Resources[roleId];
      if (roleId === oslsRoleId && role) {
        const policy = role.Properties.Policies[0].PolicyDocument;
        policy.Statement = [
          { Effect: 'Allow', Action: [...LOG_ACTIONS], Resource: groups.map(([, group]) => getAtt(group)) },
          ...policy.Statement.filter((statement) => !isOslsLogStatement(statement)),
        ];
        continue;
      }
      const statements = statementsOf(role);
      for (const [name, group] of groups) {
        const granted = LOG_ACTIONS.every((action) =>
          statements.some(
            (statement) =>
              statement.Effect === 'Allow' &&
              list(statement.Action).includes(action) &&
              list(statement.Resource).some((resource) => sameGetAtt(resource, group)),
          ),
        );
        if (!granted) {
          throw new this.serverless.classes.Error(
            `functions.${name} uses the role ${roleId}, which does not allow ${LOG_ACTIONS.join(' and ')} on its log group: add !GetAtt ${group}.Arn to that role's logs statement in serverless.yml.`,
          );
        }
      }
    }
  }

  addFunctionAlarms(template) {
    const { service } = this.serverless;
    const alarms = service.custom?.alarms;
    if (!isPlainObject(alarms?.perFunction)) return;
    const naming = this.provider.naming;
    const actions = [{ Ref: alarms.topic }];
    if (!template.Resources[alarms.topic]) {
      throw new this.serverless.classes.Error(`custom.alarms.topic: no resource ${alarms.topic} in the stack.`);
    }
    for (const name of service.getAllFunctions()) {
      const fn = service.getFunction(name);
      for (const [metric, spec] of Object.entries(alarms.perFunction)) {
        template.Resources[`${naming.getNormalizedFunctionName(name)}${metric}Alarm`] = {
          Type: 'AWS::CloudWatch::Alarm',
          Properties: {
            AlarmName: `${fn.name}-${metric.toLowerCase()}`,
            AlarmDescription: `${fn.name}: ${spec.description}`,
            Namespace: 'AWS/Lambda',
            MetricName: metric,
            Dimensions: [{ Name: 'FunctionName', Value: { Ref: naming.getLambdaLogicalId(name) } }],
            Statistic: 'Sum',
            Period: Number(spec.period),
            EvaluationPeriods: 1,
            Threshold: Number(spec.threshold),
            ComparisonOperator: 'GreaterThanOrEqualToThreshold',
            // No invocation, no data point: nothing is wrong.
            TreatMissingData: 'notBreaching',
            AlarmActions: actions,
            OKActions: actions,
          },
        };
      }
    }
  }
}

module.exports = Hardening;
