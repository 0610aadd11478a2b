/**
 * Checks a CloudFormation template against CloudFormation's resource specification, as the AWS CDK publishes it
 * (`@aws-cdk/aws-service-spec`): every resource type exists, every property exists at every depth, required ones are
 * present, values have the right types, and every Ref, GetAtt, Sub, FindInMap, DependsOn and Condition names something
 * that exists. We cannot deploy from here; this is what finds a misspelt property before a deploy would.
 *
 * Intrinsic functions stand for a value wherever one is expected; what they give (one value, a list, or anything) is
 * held to the type expected there, both branches of an Fn::If are checked, and `AWS::NoValue` removes a value. As
 * CloudFormation does, numbers and booleans may be written as strings (`"5"`, `"true"`) and scalars where strings are
 * expected; `Json` properties take anything (their intrinsic functions are still checked).
 */
import { loadAwsServiceSpecSync } from '@aws-cdk/aws-service-spec';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
type SpecDatabase = ReturnType<typeof loadAwsServiceSpecSync>;
const findResource = (db: SpecDatabase, type: string) => db.lookup('resource', 'cloudFormationType', 'equals', type)[0];
type SpecResource = NonNullable<ReturnType<typeof findResource>>;
type SpecProperties = SpecResource['properties'];
type SpecType = SpecProperties[string]['type'];

export type ProblemKind =
  | 'unknown-section'
  | 'unknown-resource-type'
  | 'unknown-resource-attribute'
  | 'unknown-property'
  | 'missing-property'
  | 'wrong-type'
  | 'invalid-value'
  | 'invalid-name'
  | 'unknown-reference'
  | 'invalid-reference'
  | 'unknown-attribute'
  | 'unknown-condition'
  | 'invalid-function';

/** One thing wrong, at a path such as `Resources.TodosTable.Properties.KeySchema[0].AttributeNme`. */
export interface Problem {
  path: string;
  kind: ProblemKind;
  message: string;
}

let spec: SpecDatabase | undefined;

/** The specification, loaded once (under a second here: a 2.6 MB compressed database). */
export function cfnSpec(): SpecDatabase {
  spec ??= loadAwsServiceSpecSync();
  return spec;
}

/** Validates `template`; an empty list means no problem found. */
export function validateTemplate(template: JsonObject, db: SpecDatabase = cfnSpec()): Problem[] {
  return new Validator(db, template).run();
}

const SECTIONS = new Set([
  'AWSTemplateFormatVersion',
  'Description',
  'Metadata',
  'Parameters',
  'Rules',
  'Mappings',
  'Conditions',
  'Transform',
  'Resources',
  'Outputs',
  'Hooks',
]);
const PARAMETER_KEYS = new Set([
  'Type',
  'Default',
  'Description',
  'AllowedValues',
  'AllowedPattern',
  'ConstraintDescription',
  'MaxLength',
  'MinLength',
  'MaxValue',
  'MinValue',
  'NoEcho',
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
const OUTPUT_KEYS = new Set(['Value', 'Description', 'Export', 'Condition']);
const DELETION_POLICIES = ['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'];
const UPDATE_REPLACE_POLICIES = ['Delete', 'Retain', 'Snapshot'];
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
/** The functions allowed in the Conditions section (and only there, but for Fn::If's condition name). */
const CONDITION_FUNCTIONS = new Set(['Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or']);
/** The legacy `Tag` type of the specification: `{ Key, Value }`. */
const TAG: SpecProperties = {
  Key: { type: { type: 'string' }, required: true },
  Value: { type: { type: 'string' }, required: true },
};
/** Every `Custom::*` resource takes these and any other property. */
const CUSTOM_RESOURCE = 'AWS::CloudFormation::CustomResource';
const STRING: SpecType = { type: 'string' };
const LOGICAL_ID = /^[A-Za-z0-9]{1,255}$/;
const NUMBER = /^-?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/;
const INTEGER = /^-?\d+$/;

/** What an intrinsic function gives: one value, a list, anything (unknown until deployed), or nothing (NoValue). */
type Gives = 'value' | 'list' | 'any' | 'nothing';

const isObject = (value: Json | undefined): value is JsonObject =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const isCustom = (type: string) => type.startsWith('Custom::') || type === CUSTOM_RESOURCE;

/** The intrinsic function `value` is, if it is one: an object whose one key is `Ref` or `Fn::…`. */
function functionOf(value: Json | undefined): string | undefined {
  if (!isObject(value)) return undefined;
  const keys = Object.keys(value);
  const [key] = keys;
  return keys.length === 1 && key !== undefined && (key === 'Ref' || key.startsWith('Fn::')) ? key : undefined;
}

const isNoValue = (value: Json | undefined) =>
  isObject(value) && functionOf(value) === 'Ref' && value.Ref === 'AWS::NoValue';

/** `path.key`, `path[0]`, or `path["odd key"]`. */
function at(path: string, key: string | number): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  if (!/^[A-Za-z_][A-Za-z0-9_:-]*$/.test(key)) return `${path}[${JSON.stringify(key)}]`;
  return path ? `${path}.${key}` : key;
}

function shown(value: Json | undefined): string {
  if (value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'an object';
  const text = JSON.stringify(value);
  return text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/** The closest of `names` to a misspelt `name`, if one is close enough to be what was meant. */
function closest(name: string, names: string[]): string | undefined {
  const distance = (a: string, b: string) => {
    let row = Array.from({ length: b.length + 1 }, (_, i) => i);
    for (let i = 1; i <= a.length; i++) {
      const next = [i];
      for (let j = 1; j <= b.length; j++) {
        next[j] = Math.min(
          (row[j] ?? 0) + 1,
          (next[j - 1] ?? 0) + 1,
          (row[j - 1] ?? 0) + (a[i - 1]?.toLowerCase() === b[j - 1]?.toLowerCase() ? 0 : 1),
        );
      }
      row = next;
    }
    return row[b.length] ?? Number.POSITIVE_INFINITY;
  };
  let best: { name: string; distance: number } | undefined;
  for (const candidate of names) {
    const d = distance(name, candidate);
    if (d <= Math.max(1, Math.floor(name.length / 4)) && (!best || d < best.distance))
      best = { name: candidate, distance: d };
  }
  return best?.name;
}

class Validator {
  private problems: Problem[] = [];
  private readonly resources: JsonObject;
  private readonly parameters: JsonObject;
  private readonly conditions: JsonObject;
  private readonly mappings: JsonObject;
  /** In the Conditions section, which may refer to parameters and pseudo parameters only. */
  private inConditions = false;

  constructor(
    private readonly db: SpecDatabase,
    private readonly template: JsonObject,
  ) {
    const section = (name: string) => {
      const value = template[name];
      return isObject(value) ? value : {};
    };
    this.resources = section('Resources');
    this.parameters = section('Parameters');
    this.conditions = section('Conditions');
    this.mappings = section('Mappings');
  }

  run(): Problem[] {
    const { template } = this;
    for (const key of Object.keys(template)) {
      if (!SECTIONS.has(key)) this.report(key, 'unknown-section', 'not a section of a CloudFormation template');
    }
    if (template.AWSTemplateFormatVersion !== undefined && template.AWSTemplateFormatVersion !== '2010-09-09') {
      this.report('AWSTemplateFormatVersion', 'invalid-value', 'the only template format version is "2010-09-09"');
    }
    if (template.Description !== undefined && typeof template.Description !== 'string') {
      this.report('Description', 'wrong-type', `expected a string, got ${shown(template.Description)}`);
    }
    for (const name of ['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs']) {
      const value = template[name];
      if (value !== undefined && !isObject(value))
        this.report(name, 'wrong-type', `expected an object, got ${shown(value)}`);
    }
    if (!isObject(template.Resources))
      this.report('Resources', 'missing-property', 'a template must declare Resources');

    for (const [name, parameter] of Object.entries(this.parameters)) this.checkParameter(name, parameter);
    this.inConditions = true;
    for (const [name, condition] of Object.entries(this.conditions))
      this.checkCondition(condition, at('Conditions', name));
    this.inConditions = false;
    for (const [id, resource] of Object.entries(this.resources)) this.checkResource(id, resource);
    if (isObject(template.Outputs)) {
      for (const [name, output] of Object.entries(template.Outputs)) this.checkOutput(name, output);
    }
    return this.problems;
  }

  private report(path: string, kind: ProblemKind, message: string): void {
    this.problems.push({ path, kind, message });
  }

  /** The problems `check` finds, kept apart from the others. */
  private collect(check: () => void): Problem[] {
    const saved = this.problems;
    this.problems = [];
    try {
      check();
      return this.problems;
    } finally {
      this.problems = saved;
    }
  }

  private resourceSpec(type: string): SpecResource | undefined {
    return findResource(this.db, type);
  }

  private checkLogicalId(path: string, name: string): void {
    if (!LOGICAL_ID.test(name)) this.report(path, 'invalid-name', 'a logical ID must be 1 to 255 letters and digits');
  }

  // ---- sections ----------------------------------------------------------------------------------------------------

  private checkParameter(name: string, parameter: Json): void {
    const path = at('Parameters', name);
    this.checkLogicalId(path, name);
    if (!isObject(parameter)) {
      this.report(path, 'wrong-type', `expected an object, got ${shown(parameter)}`);
      return;
    }
    for (const key of Object.keys(parameter)) {
      if (!PARAMETER_KEYS.has(key)) this.report(at(path, key), 'unknown-property', 'not a parameter property');
    }
    if (typeof parameter.Type !== 'string')
      this.report(at(path, 'Type'), 'missing-property', 'a parameter needs a Type');
  }

  private checkCondition(condition: Json, path: string): void {
    if (isObject(condition) && Object.keys(condition).length === 1 && 'Condition' in condition) {
      this.checkConditionName(condition.Condition, at(path, 'Condition'));
      return;
    }
    const fn = functionOf(condition);
    if (!fn || !CONDITION_FUNCTIONS.has(fn) || !isObject(condition)) {
      this.report(path, 'invalid-function', 'a condition is Fn::Equals, Fn::Not, Fn::And, Fn::Or or { Condition }');
      return;
    }
    const args = condition[fn];
    const here = at(path, fn);
    const [least, most] = fn === 'Fn::Equals' ? [2, 2] : fn === 'Fn::Not' ? [1, 1] : [2, 10];
    if (!Array.isArray(args) || args.length < least || args.length > most) {
      const count = least === most ? `${least}` : `${least} to ${most}`;
      this.report(here, 'invalid-function', `${fn} takes a list of ${count}`);
      return;
    }
    args.forEach((arg, i) => {
      if (fn === 'Fn::Equals') this.checkArg(arg, at(here, i), 'any');
      else this.checkCondition(arg, at(here, i));
    });
  }

  private checkConditionName(name: Json | undefined, path: string): void {
    if (typeof name !== 'string') this.report(path, 'invalid-function', `a condition name, not ${shown(name)}`);
    else if (!Object.hasOwn(this.conditions, name)) this.report(path, 'unknown-condition', `no condition ${name}`);
  }

  private checkResource(id: string, resource: Json): void {
    const path = at('Resources', id);
    this.checkLogicalId(path, id);
    if (!isObject(resource)) {
      this.report(path, 'wrong-type', `expected an object, got ${shown(resource)}`);
      return;
    }
    for (const key of Object.keys(resource)) {
      if (!RESOURCE_KEYS.has(key)) {
        const meant = closest(key, [...RESOURCE_KEYS]);
        this.report(
          at(path, key),
          'unknown-resource-attribute',
          `not a resource attribute${meant ? ` (${meant}?)` : ''}`,
        );
      }
    }
    const { Type: type, Properties: properties, DependsOn: dependsOn } = resource;
    if (dependsOn !== undefined) {
      const names = Array.isArray(dependsOn) ? dependsOn : [dependsOn];
      names.forEach((name, i) => {
        const here = Array.isArray(dependsOn) ? at(at(path, 'DependsOn'), i) : at(path, 'DependsOn');
        if (typeof name !== 'string' || name === id || !Object.hasOwn(this.resources, name)) {
          this.report(here, 'unknown-reference', `DependsOn ${shown(name)}, which is not another resource`);
        }
      });
    }
    if (resource.Condition !== undefined) this.checkConditionName(resource.Condition, at(path, 'Condition'));
    for (const [key, allowed] of [
      ['DeletionPolicy', DELETION_POLICIES],
      ['UpdateReplacePolicy', UPDATE_REPLACE_POLICIES],
    ] as const) {
      const value = resource[key];
      if (value !== undefined && !(typeof value === 'string' && allowed.includes(value))) {
        this.report(at(path, key), 'invalid-value', `${shown(value)} is not one of ${allowed.join(', ')}`);
      }
    }
    for (const key of ['Metadata', 'UpdatePolicy', 'CreationPolicy']) {
      const value = resource[key];
      if (value === undefined) continue;
      if (isObject(value)) this.walk(value, at(path, key));
      else this.report(at(path, key), 'wrong-type', `expected an object, got ${shown(value)}`);
    }

    if (typeof type !== 'string') {
      this.report(at(path, 'Type'), type === undefined ? 'missing-property' : 'wrong-type', 'a resource needs a Type');
      return;
    }
    const propertiesPath = at(path, 'Properties');
    if (properties !== undefined && !isObject(properties)) {
      this.report(propertiesPath, 'wrong-type', `expected an object, got ${shown(properties)}`);
      return;
    }
    const found = this.resourceSpec(isCustom(type) ? CUSTOM_RESOURCE : type);
    if (!found) {
      this.report(at(path, 'Type'), 'unknown-resource-type', `${type} is not a CloudFormation resource type`);
      if (properties) this.walk(properties, propertiesPath);
      return;
    }
    this.checkProperties(properties ?? {}, found.properties, propertiesPath, type, isCustom(type));
  }

  private checkOutput(name: string, output: Json): void {
    const path = at('Outputs', name);
    this.checkLogicalId(path, name);
    if (!isObject(output)) {
      this.report(path, 'wrong-type', `expected an object, got ${shown(output)}`);
      return;
    }
    for (const key of Object.keys(output)) {
      if (!OUTPUT_KEYS.has(key)) this.report(at(path, key), 'unknown-property', 'not an output property');
    }
    if (output.Value === undefined) this.report(at(path, 'Value'), 'missing-property', 'an output needs a Value');
    else this.checkValue(output.Value, STRING, at(path, 'Value'));
    if (output.Description !== undefined && typeof output.Description !== 'string') {
      this.report(at(path, 'Description'), 'wrong-type', `expected a string, got ${shown(output.Description)}`);
    }
    if (output.Export !== undefined) {
      this.checkProperties(output.Export, { Name: { type: STRING, required: true } }, at(path, 'Export'), 'Export');
    }
    if (output.Condition !== undefined) this.checkConditionName(output.Condition, at(path, 'Condition'));
  }

  // ---- values against the specification ----------------------------------------------------------------------------

  /** `value` as an object of `properties` (of `owner`, a resource type or a property type's name). */
  private checkProperties(
    value: Json | undefined,
    properties: SpecProperties,
    path: string,
    owner: string,
    othersAllowed = false,
  ): void {
    if (!isObject(value) || functionOf(value)) {
      this.walk(value ?? null, path);
      this.report(path, 'wrong-type', `expected an object (${owner}), got ${shown(value)}`);
      return;
    }
    for (const [name, inner] of Object.entries(value)) {
      const property = Object.hasOwn(properties, name) ? properties[name] : undefined;
      if (property) {
        this.checkValue(inner, property.type, at(path, name));
        continue;
      }
      this.walk(inner, at(path, name));
      if (othersAllowed) continue;
      const meant = closest(name, Object.keys(properties));
      this.report(at(path, name), 'unknown-property', `unknown property of ${owner}${meant ? ` (${meant}?)` : ''}`);
    }
    for (const [name, property] of Object.entries(properties)) {
      if (property.required && (!Object.hasOwn(value, name) || isNoValue(value[name]))) {
        this.report(at(path, name), 'missing-property', `required by ${owner}`);
      }
    }
  }

  private checkValue(value: Json, type: SpecType, path: string): void {
    if (type.type === 'json') {
      this.walk(value, path);
      return;
    }
    if (type.type === 'union') {
      this.checkUnion(value, type.types, path);
      return;
    }
    const fn = functionOf(value);
    if (fn && isObject(value)) {
      if (fn === 'Fn::If') {
        this.checkIf(value, path, (branch, branchPath) => this.checkValue(branch, type, branchPath));
        return;
      }
      const gives = this.checkFunction(fn, value[fn], at(path, fn));
      if (!fits(type, gives)) {
        this.report(path, 'wrong-type', `expected ${this.describe(type)}, but ${fn} gives ${describeGives(gives)}`);
      }
      return;
    }
    const wrong = () => this.report(path, 'wrong-type', `expected ${this.describe(type)}, got ${shown(value)}`);
    switch (type.type) {
      case 'string':
      case 'date-time':
        // CloudFormation turns a number or a boolean into its text where a string is expected.
        if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') wrong();
        else if (type.type === 'string') this.checkAllowed(String(value), type.allowedValues, path);
        return;
      case 'number':
        // ...and reads a number from a string.
        if (
          !(typeof value === 'number' && Number.isFinite(value)) &&
          !(typeof value === 'string' && NUMBER.test(value))
        )
          wrong();
        return;
      case 'integer':
        if (!Number.isInteger(value) && !(typeof value === 'string' && INTEGER.test(value))) wrong();
        else this.checkAllowed(Number(value), type.allowedValues, path);
        return;
      case 'boolean':
        if (typeof value !== 'boolean' && value !== 'true' && value !== 'false') wrong();
        return;
      case 'null':
        if (value !== null) wrong();
        return;
      case 'tag':
        this.checkProperties(value, TAG, path, 'Tag');
        return;
      case 'array':
        if (!Array.isArray(value)) {
          wrong();
          this.walk(value, path);
          return;
        }
        value.forEach((item, i) => {
          // An item that is AWS::NoValue is dropped from the list.
          if (!isNoValue(item)) this.checkValue(item, type.element, at(path, i));
        });
        return;
      case 'map':
        if (!isObject(value)) {
          wrong();
          this.walk(value, path);
          return;
        }
        for (const [key, item] of Object.entries(value)) {
          if (!isNoValue(item)) this.checkValue(item, type.element, at(path, key));
        }
        return;
      case 'ref': {
        const definition = this.db.get('typeDefinition', type.reference);
        this.checkProperties(value, definition.properties, path, definition.name);
        return;
      }
    }
  }

  private checkAllowed(
    value: string | number | boolean,
    allowed: ReadonlyArray<string | number> | undefined,
    path: string,
  ) {
    if (allowed && !allowed.includes(value as string | number)) {
      this.report(path, 'invalid-value', `${JSON.stringify(value)} is not one of ${allowed.join(', ')}`);
    }
  }

  /**
   * `json` in a union is the specification's escape hatch (a registry schema's `"type": "object"` beside a precise
   * type): a value shaped like a structured alternative is held to it, so a misspelt property of a list item is still
   * found; only a value no structured alternative describes falls to `json`.
   */
  private checkUnion(value: Json, types: SpecType[], path: string): void {
    const structured = types.filter((type) => type.type !== 'json');
    const json = structured.length < types.length;
    const fn = functionOf(value);
    if (fn && json) {
      this.walk(value, path);
      return;
    }
    const trials = structured.map((type) => ({
      type,
      problems: this.collect(() => this.checkValue(value, type, path)),
    }));
    if (trials.some((trial) => trial.problems.length === 0)) return;
    const shaped = fn ? trials : trials.filter((trial) => shapeFits(value, trial.type));
    const [best] = shaped.sort((a, b) => a.problems.length - b.problems.length);
    if (best) this.problems.push(...best.problems);
    else if (json) this.walk(value, path);
    else {
      this.walk(value, path);
      this.report(
        path,
        'wrong-type',
        `expected ${types.map((type) => this.describe(type)).join(' or ')}, got ${shown(value)}`,
      );
    }
  }

  private describe(type: SpecType): string {
    switch (type.type) {
      case 'string':
        return 'a string';
      case 'date-time':
        return 'a date-time string';
      case 'number':
        return 'a number';
      case 'integer':
        return 'an integer';
      case 'boolean':
        return 'a boolean';
      case 'json':
        return 'JSON';
      case 'null':
        return 'null';
      case 'tag':
        return 'a Tag ({ Key, Value })';
      case 'array':
        return `a list of ${this.describe(type.element).replace(/^an? /, '')}`;
      case 'map':
        return `a map of ${this.describe(type.element).replace(/^an? /, '')}`;
      case 'ref':
        return `an object (${this.db.get('typeDefinition', type.reference).name})`;
      case 'union':
        return type.types.map((inner) => this.describe(inner)).join(' or ');
    }
  }

  // ---- intrinsic functions ------------------------------------------------------------------------------------------

  /** The intrinsic functions anywhere in `value`, which is not typed (Json, Metadata, an unknown property). */
  private walk(value: Json, path: string): void {
    const fn = functionOf(value);
    if (fn && isObject(value)) {
      if (fn === 'Fn::If') this.checkIf(value, path, (branch, branchPath) => this.walk(branch, branchPath));
      else this.checkFunction(fn, value[fn], at(path, fn));
    } else if (Array.isArray(value)) {
      for (const [i, item] of value.entries()) this.walk(item, at(path, i));
    } else if (isObject(value)) for (const [key, item] of Object.entries(value)) this.walk(item, at(path, key));
  }

  /** An argument of an intrinsic function: one value, a list (of values), or anything. */
  private checkArg(value: Json | undefined, path: string, want: 'value' | 'list' | 'any'): void {
    const fn = functionOf(value);
    if (fn && isObject(value)) {
      if (fn === 'Fn::If') {
        this.checkIf(value, path, (branch, branchPath) => this.checkArg(branch, branchPath, want));
        return;
      }
      const gives = this.checkFunction(fn, value[fn], at(path, fn));
      if (want !== 'any' && gives !== 'any' && gives !== 'nothing' && gives !== want) {
        this.report(path, 'wrong-type', `expected ${describeGives(want)}, but ${fn} gives ${describeGives(gives)}`);
      }
      return;
    }
    if (want === 'any') this.walk(value ?? null, path);
    else if (want === 'value') {
      if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
        this.report(path, 'wrong-type', `expected a single value, got ${shown(value)}`);
        this.walk(value ?? null, path);
      }
    } else if (Array.isArray(value)) {
      value.forEach((item, i) => {
        if (!isNoValue(item)) this.checkArg(item, at(path, i), 'value');
      });
    } else {
      this.report(path, 'wrong-type', `expected a list, got ${shown(value)}`);
      this.walk(value ?? null, path);
    }
  }

  private checkIf(value: JsonObject, path: string, branch: (value: Json, path: string) => void): void {
    const args = value['Fn::If'];
    const here = at(path, 'Fn::If');
    if (!Array.isArray(args) || args.length !== 3) {
      this.report(here, 'invalid-function', 'Fn::If takes [condition name, value if true, value if false]');
      this.walk(args ?? null, here);
      return;
    }
    const [condition, whenTrue, whenFalse] = args as [Json, Json, Json];
    this.checkConditionName(condition, at(here, 0));
    branch(whenTrue, at(here, 1));
    branch(whenFalse, at(here, 2));
  }

  /** Checks the arguments of `fn` (at `path`, which ends in its name), and says what it gives. */
  private checkFunction(fn: string, args: Json | undefined, path: string): Gives {
    /** The arguments, if they are a list of `least` to `most`. */
    const list = (least: number, most = least): Json[] | undefined => {
      if (Array.isArray(args) && args.length >= least && args.length <= most) return args;
      const count = least === most ? `${least}` : `${least} to ${most}`;
      this.report(path, 'invalid-function', `${fn} takes a list of ${count}`);
      this.walk(args ?? null, path);
      return undefined;
    };
    switch (fn) {
      case 'Ref':
        if (typeof args === 'string') return this.checkName(args, path, `Ref to ${args}`);
        this.report(path, 'invalid-function', 'Ref takes a name');
        return 'any';
      case 'Fn::GetAtt':
        return this.checkGetAtt(args, path);
      case 'Fn::Sub':
        this.checkSub(args, path);
        return 'value';
      case 'Fn::Join': {
        const items = list(2);
        if (items) {
          if (typeof items[0] !== 'string') this.report(at(path, 0), 'wrong-type', 'the delimiter must be a string');
          this.checkArg(items[1], at(path, 1), 'list');
        }
        return 'value';
      }
      case 'Fn::Select': {
        const items = list(2);
        if (items) {
          const [index, from] = items as [Json, Json];
          if (functionOf(index)) this.checkArg(index, at(path, 0), 'value');
          else if (!Number.isInteger(index) && !(typeof index === 'string' && INTEGER.test(index)))
            this.report(at(path, 0), 'wrong-type', `expected an index, got ${shown(index)}`);
          this.checkArg(from, at(path, 1), 'list');
        }
        return 'any';
      }
      case 'Fn::Split': {
        const items = list(2);
        if (items) {
          if (typeof items[0] !== 'string') this.report(at(path, 0), 'wrong-type', 'the delimiter must be a string');
          this.checkArg(items[1], at(path, 1), 'value');
        }
        return 'list';
      }
      case 'Fn::GetAZs':
        this.checkArg(args, path, 'value');
        return 'list';
      case 'Fn::Base64':
      case 'Fn::ImportValue':
        this.checkArg(args, path, 'value');
        return 'value';
      case 'Fn::Cidr':
        for (const [i, arg] of (list(3) ?? []).entries()) this.checkArg(arg, at(path, i), 'value');
        return 'list';
      case 'Fn::FindInMap': {
        const items = list(3, 4);
        if (items) this.checkFindInMap(items, path);
        return 'any';
      }
      // AWS::LanguageExtensions
      case 'Fn::Length':
        this.checkArg(args, path, 'list');
        return 'value';
      case 'Fn::ToJsonString':
        this.walk(args ?? null, path);
        return 'value';
      case 'Fn::Transform':
        this.walk(args ?? null, path);
        return 'any';
      default:
        this.walk(args ?? null, path);
        this.report(
          path,
          'invalid-function',
          CONDITION_FUNCTIONS.has(fn) ? `${fn} belongs in the Conditions section` : `${fn} is no intrinsic function`,
        );
        return 'any';
    }
  }

  /** A name as Ref (or `${name}` in a Sub) uses it: a parameter, a resource or a pseudo parameter. */
  private checkName(name: string, path: string, what: string): Gives {
    if (PSEUDO_PARAMETERS.has(name)) {
      return name === 'AWS::NoValue' ? 'nothing' : name === 'AWS::NotificationARNs' ? 'list' : 'value';
    }
    const parameter = this.parameters[name];
    if (isObject(parameter)) {
      const type = typeof parameter.Type === 'string' ? parameter.Type : '';
      return /^List<|CommaDelimitedList|<List<|^AWS::SSM::Parameter::Value<CommaDelimitedList>/.test(type)
        ? 'list'
        : 'value';
    }
    if (Object.hasOwn(this.resources, name)) {
      if (this.inConditions) this.report(path, 'invalid-reference', `${what}: conditions cannot refer to resources`);
      return 'value';
    }
    this.report(path, 'unknown-reference', `${what}, which is no parameter, resource or pseudo parameter`);
    return 'any';
  }

  private checkGetAtt(args: Json | undefined, path: string): Gives {
    if (typeof args === 'string') {
      const dot = args.indexOf('.');
      if (dot > 0) return this.checkAttribute(args.slice(0, dot), args.slice(dot + 1), path, `GetAtt of ${args}`);
    } else if (Array.isArray(args) && args.length === 2 && typeof args[0] === 'string') {
      const [id, attribute] = args as [string, Json];
      if (typeof attribute === 'string')
        return this.checkAttribute(id, attribute, path, `GetAtt of ${id}.${attribute}`);
      if (functionOf(attribute)) {
        // The attribute's name may come from a parameter; the resource must still exist.
        this.checkArg(attribute, at(path, 1), 'value');
        return this.checkAttribute(id, undefined, path, `GetAtt of ${id}`);
      }
    }
    this.report(path, 'invalid-function', 'Fn::GetAtt takes [resource, attribute] or "resource.attribute"');
    return 'any';
  }

  /** `attribute` (undefined: not known before deploying) of the resource `id`. */
  private checkAttribute(id: string, attribute: string | undefined, path: string, what: string): Gives {
    const resource = this.resources[id];
    if (!isObject(resource)) {
      this.report(path, 'unknown-reference', `${what}: ${id} is not a resource`);
      return 'any';
    }
    if (this.inConditions) this.report(path, 'invalid-reference', `${what}: conditions cannot refer to resources`);
    const type = resource.Type;
    if (attribute === undefined || typeof type !== 'string' || isCustom(type)) return 'any';
    if (type === 'AWS::CloudFormation::Stack' && attribute.startsWith('Outputs.')) return 'value';
    const found = this.resourceSpec(type);
    if (!found) return 'any'; // its type is reported where it is declared
    // Nested attributes (`Endpoint.Address`) are spelt with a dot in the specification too.
    const spec = Object.hasOwn(found.attributes, attribute) ? found.attributes[attribute] : undefined;
    if (!spec) {
      const names = Object.keys(found.attributes);
      this.report(
        path,
        'unknown-attribute',
        `${what}: ${type} has no attribute ${attribute} (${names.length ? `it has ${names.join(', ')}` : 'it has none'})`,
      );
      return 'any';
    }
    return spec.type.type === 'array'
      ? 'list'
      : spec.type.type === 'json' || spec.type.type === 'union'
        ? 'any'
        : 'value';
  }

  private checkSub(args: Json | undefined, path: string): void {
    let text: Json | undefined = args;
    let variables: JsonObject = {};
    let textPath = path;
    if (Array.isArray(args) && args.length === 2 && isObject(args[1])) {
      [text] = args;
      variables = args[1];
      textPath = at(path, 0);
      for (const [name, value] of Object.entries(variables)) this.checkArg(value, at(at(path, 1), name), 'value');
    }
    if (typeof text !== 'string') {
      this.report(path, 'invalid-function', 'Fn::Sub takes a string or [string, { variables }]');
      return;
    }
    for (const [, inner = ''] of text.matchAll(/\$\{([^}]*)\}/g)) {
      if (inner.startsWith('!')) continue; // ${!Literal} is written as ${Literal}
      const name = inner.trim();
      if (Object.hasOwn(variables, name)) continue;
      const dot = name.indexOf('.');
      if (dot > 0) this.checkAttribute(name.slice(0, dot), name.slice(dot + 1), textPath, `\${${name}}`);
      else this.checkName(name, textPath, `\${${name}}`);
    }
  }

  private checkFindInMap(args: Json[], path: string): void {
    const [map, first, second, options] = args;
    args.slice(0, 3).forEach((arg, i) => {
      this.checkArg(arg, at(path, i), 'value');
    });
    if (options !== undefined) this.walk(options, at(path, 3));
    if (typeof map !== 'string') return;
    const mapping = this.mappings[map];
    if (!isObject(mapping)) {
      this.report(at(path, 0), 'unknown-reference', `no mapping ${map}`);
      return;
    }
    // With a DefaultValue (AWS::LanguageExtensions), a missing key is no error.
    if (options !== undefined || typeof first !== 'string') return;
    const level = mapping[first];
    if (!isObject(level)) this.report(at(path, 1), 'unknown-reference', `mapping ${map} has no key ${first}`);
    else if (typeof second === 'string' && !Object.hasOwn(level, second)) {
      this.report(at(path, 2), 'unknown-reference', `mapping ${map}.${first} has no key ${second}`);
    }
  }
}

/** Whether an intrinsic function giving `gives` may stand where `type` is expected. */
function fits(type: SpecType, gives: Gives): boolean {
  if (gives === 'any' || gives === 'nothing') return true;
  switch (type.type) {
    case 'array':
      return gives === 'list';
    case 'string':
    case 'date-time':
    case 'number':
    case 'integer':
    case 'boolean':
      return gives === 'value';
    case 'json':
      return true;
    default:
      // An object (a property type, a map, a tag) is never what Ref, Sub, Join... give.
      return false;
  }
}

function describeGives(gives: Gives | 'value' | 'list'): string {
  return gives === 'list'
    ? 'a list'
    : gives === 'value'
      ? 'a single value'
      : gives === 'nothing'
        ? 'no value'
        : 'anything';
}

/** Whether `value` has the shape of `type` (a list, an object, or a single value), whatever its contents. */
function shapeFits(value: Json, type: SpecType): boolean {
  if (Array.isArray(value)) return type.type === 'array';
  if (isObject(value)) return type.type === 'ref' || type.type === 'map' || type.type === 'tag';
  if (value === null) return type.type === 'null';
  return ['string', 'number', 'integer', 'boolean', 'date-time'].includes(type.type);
}
