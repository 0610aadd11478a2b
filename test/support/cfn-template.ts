/**
 * A packaged CloudFormation template's values as a deploy would make them: conditions evaluated (their values are
 * all known at package time), and intrinsic functions filled in with the names a test gives for what only
 * CloudFormation knows (`AWS::Region`, a resource's `Ref`).
 */
import assert from 'node:assert/strict';
import type { CfnTemplate } from '../../tools/package.js';

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const isObject = (value: Json | undefined): value is { [key: string]: Json } =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Whether the template's condition `name` holds. */
export function conditionHolds(template: CfnTemplate, name: string): boolean {
  const condition = template.Conditions?.[name] as Json | undefined;
  assert.ok(condition !== undefined, `condition ${name} exists`);
  const evaluate = (node: Json): Json => {
    if (!isObject(node)) return node;
    const [[fn, args]] = Object.entries(node) as [[string, Json]];
    const values = (Array.isArray(args) ? args : [args]).map(evaluate);
    switch (fn) {
      case 'Fn::Equals':
        return String(values[0]) === String(values[1]);
      case 'Fn::Not':
        return !values[0];
      case 'Fn::And':
        return values.every(Boolean);
      case 'Fn::Or':
        return values.some(Boolean);
      case 'Condition':
        return conditionHolds(template, String(args));
    }
    throw new Error(`cannot evaluate ${fn} at package time`);
  };
  return evaluate(condition) === true;
}

/**
 * `value` as CloudFormation would deploy it: Fn::If, Fn::Split, Fn::Select, Fn::Join, Fn::Sub and Ref evaluated, with
 * `names` for what a Ref or a `${…}` names; `undefined` for AWS::NoValue (a property left out). A name missing from
 * `names`, or another intrinsic function, fails.
 */
export function deployed(template: CfnTemplate, value: Json, names: Record<string, string>): Json | undefined {
  const deploy = (node: Json): Json | undefined => {
    if (Array.isArray(node)) return node.map((item) => deploy(item) as Json);
    if (!isObject(node)) return node;
    const entries = Object.entries(node);
    const [fn, args] = entries[0] ?? [];
    if (entries.length !== 1 || !(fn === 'Ref' || fn?.startsWith('Fn::'))) {
      return Object.fromEntries(
        entries.flatMap(([key, inner]) => {
          const result = deploy(inner);
          return result === undefined ? [] : [[key, result]];
        }),
      );
    }
    const name = (key: string): string => {
      assert.ok(Object.hasOwn(names, key), `a deploy would fill in ${key}`);
      return names[key] as string;
    };
    const list = args as Json[];
    switch (fn) {
      case 'Ref':
        return args === 'AWS::NoValue' ? undefined : name(String(args));
      case 'Fn::If':
        return deploy(conditionHolds(template, String(list[0])) ? (list[1] as Json) : (list[2] as Json));
      case 'Fn::Split':
        return String(deploy(list[1] as Json)).split(String(list[0]));
      case 'Fn::Select':
        return (deploy(list[1] as Json) as Json[])[Number(list[0])] as Json;
      case 'Fn::Join':
        return (deploy(list[1] as Json) as Json[]).join(String(list[0]));
      case 'Fn::Sub':
        assert.equal(typeof args, 'string', 'a Sub of a string');
        return String(args).replace(/\$\{([^}!]+)\}/g, (_, key: string) => name(key));
    }
    throw new Error(`cannot deploy ${fn} here`);
  };
  return deploy(value);
}
