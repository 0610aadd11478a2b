/**
 * Checks a CloudFormation template against CloudFormation's resource specification, as the AWS CDK publishes it
 * (`@aws-cdk/aws-service-spec`): every resource type exists, every property exists at every depth, required ones are
 * present, values have the right types, and every Ref, GetAtt, Sub, DependsOn and Condition names something that
 * exists. We cannot deploy from here; this is what finds a misspelt property before a deploy would.
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;

/** One thing wrong, at a path such as `Resources.TodosTable.Properties.KeySchema[0].AttributeNme`. */
export interface Problem {
  path: string;
  message: string;
}

interface SpecProperty {
  required?: boolean;
  type: SpecType;
}
type SpecType =
  | { type: 'string' | 'number' | 'integer' | 'boolean' | 'json' | 'date-time' | 'null' | 'tag' }
  | { type: 'ref'; reference: { $ref: string } }
  | { type: 'array' | 'map'; element: SpecType }
  | { type: 'union'; types: SpecType[] };
interface SpecResource {
  properties: Record<string, SpecProperty>;
  attributes: Record<string, unknown>;
}

const PSEUDO_PARAMETERS = new Set([
  'AWS::AccountId',
  'AWS::NotificationARNs',
  'AWS::NoValue',
  'AWS::Partition',
  'AWS::Region',
  'AWS::StackId',
  'AWS::StackName',
  'AWS::URLSuffix',
]);
const RESOURCE_KEYS = new Set([
  'Type',
  'Properties',
  'DependsOn',
  'Condition',
  'DeletionPolicy',
  'UpdateReplacePolicy',
  'Metadata',
  'UpdatePolicy',
  'CreationPolicy',
]);
const POLICIES = new Set(['Delete', 'Retain', 'Snapshot', 'RetainExceptOnCreate']);
/** Intrinsic functions whose value is computed at deploy time: their result is not type-checked, their names are. */
const INTRINSICS = new Set([
  'Ref',
  'Fn::GetAtt',
  'Fn::Sub',
  'Fn::Join',
  'Fn::If',
  'Fn::Select',
  'Fn::Split',
  'Fn::ImportValue',
  'Fn::FindInMap',
  'Fn::GetAZs',
  'Fn::Base64',
  'Fn::Cidr',
  'Fn::Length',
  'Fn::ToJsonString',
  'Fn::Equals',
  'Fn::And',
  'Fn::Or',
  'Fn::Not',
  'Condition',
]);

let spec: SpecDatabase | undefined;

/** The specification, loaded once (about a second: it is a 2.6 MB compressed database). */
export function cfnSpec(): SpecDatabase {
  spec ??= loadAwsServiceSpecSync();
  return spec;
}

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** The name of the intrinsic function `value` is, if it is one (an object with that one key). */
function intrinsic(value: Json | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  return keys.length === 1 && keys[0] && INTRINSICS.has(keys[0]) ? keys[0] : undefined;
}

/** Validates `template`; an empty list means no problem found. */
export function validateTemplate(template: { [key: string]: Json }, db: SpecDatabase = cfnSpec()): Problem[] {
  const problems: Problem[] = [];
  const report = (path: string, message: string) => problems.push({ path, message });
  const resources = isObject(template.Resources) ? template.Resources : {};
  const parameters = isObject(template.Parameters) ? template.Parameters : {};
  const conditions = isObject(template.Conditions) ? template.Conditions : {};
  const specs = new Map<string, SpecResource | undefined>();

  const resourceSpec = (type: string): SpecResource | undefined => {
    if (!specs.has(type)) {
      const [found] = db.lookup('resource', 'cloudFormationType', 'equals', type);
      specs.set(type, found as unknown as SpecResource | undefined);
    }
    return specs.get(type);
  };
  const typeOf = (logicalId: string): string | undefined => {
    const resource = resources[logicalId];
    return isObject(resource) && typeof resource.Type === 'string' ? resource.Type : undefined;
  };
  const checkAttribute = (path: string, logicalId: string, attribute: string) => {
    const type = typeOf(logicalId);
    if (!type) {
      report(path, `GetAtt of ${logicalId}, which is not a resource`);
      return;
    }
    if (type.startsWith('Custom::') || type === 'AWS::CloudFormation::CustomResource') return;
    const found = resourceSpec(type);
    // Nested attributes (`Endpoint.Address`) are spelt with a dot in the specification too.
    if (found && !Object.hasOwn(found.attributes, attribute)) {
      report(path, `${type} has no attribute ${attribute} (it has ${Object.keys(found.attributes).join(', ')})`);
    }
  };
  const checkName = (path: string, name: string, what: 'Ref' | 'Sub') => {
    const [logicalId = '', ...rest] = name.split('.');
    if (rest.length > 0 && what === 'Sub') {
      checkAttribute(path, logicalId, rest.join('.'));
      return;
    }
    if (!PSEUDO_PARAMETERS.has(name) && !Object.hasOwn(parameters, name) && !Object.hasOwn(resources, name)) {
      report(path, `${what} of ${name}, which is no parameter, resource or pseudo parameter`);
    }
  };

  /** The names intrinsic functions use anywhere in `value`. */
  const checkReferences = (path: string, value: Json | undefined): void => {
    if (Array.isArray(value)) {
      value.forEach((item, i) => {
        checkReferences(`${path}[${i}]`, item);
      });
      return;
    }
    if (!isObject(value)) return;
    for (const [key, inner] of Object.entries(value)) {
      const here = `${path}.${key}`;
      if (key === 'Ref' && typeof inner === 'string') checkName(here, inner, 'Ref');
      else if (key === 'Fn::GetAtt') {
        const [logicalId, ...attribute] =
          typeof inner === 'string' ? inner.split('.') : Array.isArray(inner) ? inner : [];
        if (typeof logicalId !== 'string' || attribute.some((part) => typeof part !== 'string')) {
          report(here, 'GetAtt must name a resource and an attribute');
        } else checkAttribute(here, logicalId, attribute.join('.'));
      } else if (key === 'Fn::Sub') {
        const [text, variables] = typeof inner === 'string' ? [inner, {}] : Array.isArray(inner) ? inner : [];
        const own = isObject(variables) ? variables : {};
        if (typeof text === 'string') {
          for (const [, name = ''] of text.matchAll(/\$\{(?!!)([^}]+)\}/g)) {
            if (!Object.hasOwn(own, name)) checkName(here, name, 'Sub');
          }
        }
        checkReferences(here, own);
      } else if (key === 'Fn::If' && Array.isArray(inner)) {
        const [condition, ...branches] = inner;
        if (typeof condition !== 'string' || !Object.hasOwn(conditions, condition)) {
          report(here, `Condition ${JSON.stringify(condition)} is not defined`);
        }
        checkReferences(here, branches);
      } else if (key === 'Condition' && typeof inner === 'string' && !Object.hasOwn(conditions, inner)) {
        report(here, `Condition ${inner} is not defined`);
      } else checkReferences(here, inner);
    }
  };

  /** Problems of `value` against `type`; intrinsic functions stand for any value (their names are checked apart). */
  const checkValue = (path: string, value: Json | undefined, type: SpecType): Problem[] => {
    const found: Problem[] = [];
    const wrong = (message: string) => found.push({ path, message });
    const fn = intrinsic(value);
    if (fn === 'Fn::If' && Array.isArray(value?.['Fn::If' as never])) {
      const [, whenTrue, whenFalse] = (value as { 'Fn::If': Json[] })['Fn::If'];
      return [...checkValue(`${path}.Fn::If[1]`, whenTrue, type), ...checkValue(`${path}.Fn::If[2]`, whenFalse, type)];
    }
    if (fn) return found;
    switch (type.type) {
      case 'json':
      case 'null':
        return found;
      case 'string':
      case 'date-time':
        if (typeof value !== 'string' && typeof value !== 'number')
          wrong(`must be a string, not ${JSON.stringify(value)}`);
        return found;
      case 'number':
      case 'integer': {
        // CloudFormation takes numbers written as strings.
        const number = typeof value === 'string' ? Number(value) : value;
        if (
          typeof number !== 'number' ||
          Number.isNaN(number) ||
          (type.type === 'integer' && !Number.isInteger(number))
        ) {
          wrong(`must be ${type.type === 'integer' ? 'an integer' : 'a number'}, not ${JSON.stringify(value)}`);
        }
        return found;
      }
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') {
          wrong(`must be true or false, not ${JSON.stringify(value)}`);
        }
        return found;
      case 'tag':
        if (!isObject(value)) wrong('must be a tag ({ Key, Value })');
        return found;
      case 'array':
        if (!Array.isArray(value)) return [{ path, message: `must be a list, not ${JSON.stringify(value)}` }];
        return value.flatMap((item, i) => checkValue(`${path}[${i}]`, item, type.element));
      case 'map':
        if (!isObject(value)) return [{ path, message: `must be a map, not ${JSON.stringify(value)}` }];
        return Object.entries(value).flatMap(([key, item]) => checkValue(`${path}.${key}`, item, type.element));
      case 'ref': {
        const definition = db.get('typeDefinition', type.reference.$ref) as unknown as {
          properties: Record<string, SpecProperty>;
        };
        return checkProperties(path, value, definition.properties);
      }
      case 'union': {
        // `json` in a union is the specification's escape hatch; a value shaped like a structured alternative is held
        // to it, so that a misspelt nested property is still found.
        const structured = type.types.filter((alternative) => alternative.type !== 'json');
        const shaped = structured.filter((alternative) =>
          alternative.type === 'array'
            ? Array.isArray(value)
            : alternative.type === 'ref' || alternative.type === 'map'
              ? isObject(value)
              : !isObject(value) && !Array.isArray(value),
        );
        if (shaped.length === 0) {
          return type.types.some((alternative) => alternative.type === 'json')
            ? found
            : [{ path, message: `does not match any of its types, not ${JSON.stringify(value)}` }];
        }
        const results = shaped.map((alternative) => checkValue(path, value, alternative));
        return results.find((problems) => problems.length === 0) ?? results[0] ?? found;
      }
    }
  };

  const checkProperties = (
    path: string,
    value: Json | undefined,
    properties: Record<string, SpecProperty>,
  ): Problem[] => {
    if (!isObject(value)) return [{ path, message: `must be an object, not ${JSON.stringify(value)}` }];
    const found: Problem[] = [];
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && !Object.hasOwn(value, name))
        found.push({ path: `${path}.${name}`, message: 'is required' });
    }
    for (const [name, inner] of Object.entries(value)) {
      const property = properties[name];
      if (!property) found.push({ path: `${path}.${name}`, message: 'unknown property' });
      else found.push(...checkValue(`${path}.${name}`, inner, property.type));
    }
    return found;
  };

  for (const [logicalId, resource] of Object.entries(resources)) {
    const path = `Resources.${logicalId}`;
    if (!isObject(resource) || typeof resource.Type !== 'string') {
      report(path, 'must be an object with a Type');
      continue;
    }
    for (const key of Object.keys(resource))
      if (!RESOURCE_KEYS.has(key)) report(`${path}.${key}`, 'unknown resource attribute');
    for (const policy of ['DeletionPolicy', 'UpdateReplacePolicy'] as const) {
      const value = resource[policy];
      if (value !== undefined && !(typeof value === 'string' && POLICIES.has(value))) {
        report(`${path}.${policy}`, `must be one of ${[...POLICIES].join(', ')}`);
      }
    }
    const dependsOn = resource.DependsOn === undefined ? [] : [resource.DependsOn].flat();
    for (const name of dependsOn) {
      if (typeof name !== 'string' || !Object.hasOwn(resources, name))
        report(`${path}.DependsOn`, `${name} is not a resource`);
    }
    if (
      resource.Condition !== undefined &&
      !(typeof resource.Condition === 'string' && Object.hasOwn(conditions, resource.Condition))
    ) {
      report(`${path}.Condition`, `Condition ${JSON.stringify(resource.Condition)} is not defined`);
    }
    checkReferences(`${path}.Properties`, resource.Properties);
    if (resource.Type.startsWith('Custom::') || resource.Type === 'AWS::CloudFormation::CustomResource') continue;
    const found = resourceSpec(resource.Type);
    if (!found) {
      report(`${path}.Type`, `${resource.Type} is not a CloudFormation resource type`);
      continue;
    }
    problems.push(...checkProperties(`${path}.Properties`, resource.Properties ?? {}, found.properties));
  }
  checkReferences('Conditions', template.Conditions);
  if (isObject(template.Outputs)) {
    for (const [name, output] of Object.entries(template.Outputs)) {
      // Its Condition, if any, is checked with its references.
      checkReferences(`Outputs.${name}`, output);
    }
  }
  return problems;
}
