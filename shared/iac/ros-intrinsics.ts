/**
 * ROS template values, pure: parameters (from `--parameter K=V`, else their Default), pseudo parameters,
 * `Ref`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::If` and the condition functions (`Fn::Equals`,
 * `Fn::Not`, `Fn::And`, `Fn::Or`, `Condition`) where they decide a value. Anything that only the
 * deployment can tell (a resource's id, `Fn::GetAtt`, a parameter with no value) is unknown with the
 * reason; never guessed.
 */
import { isDeepStrictEqual } from 'node:util';
import { type Known, known, unknown } from './types.js';

/** `Ref: ALIYUN::NoValue`: the property is left out. */
export const NO_VALUE = Symbol('ALIYUN::NoValue');

const PSEUDO = [
  'ALIYUN::Region',
  'ALIYUN::AccountId',
  'ALIYUN::StackName',
  'ALIYUN::StackId',
  'ALIYUN::TenantId',
];

export interface RosScope {
  parameters: Record<string, unknown>;
  conditions: Record<string, unknown>;
  resources: Record<string, unknown>;
  /** `--parameter K=V`, also for pseudo parameters such as `ALIYUN::Region`. */
  given: ReadonlyMap<string, string>;
}

const asRecord = (v: unknown): Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : {};

/** A parameter's value: given on the command line (typed as the parameter says), else its Default. */
function parameter(scope: RosScope, name: string): Known<unknown> {
  const def = asRecord(scope.parameters[name]);
  const given = scope.given.get(name);
  const type = typeof def.Type === 'string' ? def.Type : 'String';
  if (given !== undefined) {
    if (type === 'Number') return known(Number(given));
    if (type === 'CommaDelimitedList') return known(given.split(',').map((s) => s.trim()));
    if (type === 'Boolean') return known(given === 'true');
    return known(given);
  }
  if ('Default' in def) return known(def.Default);
  return unknown(`parameter ${name} has no Default and was not given (--parameter ${name}=VALUE)`);
}

function ref(scope: RosScope, name: unknown): Known<unknown> {
  if (typeof name !== 'string') return unknown('Ref needs a name');
  if (name === 'ALIYUN::NoValue') return known(NO_VALUE);
  if (name in scope.parameters) return parameter(scope, name);
  if (PSEUDO.includes(name)) {
    const given = scope.given.get(name);
    return given !== undefined
      ? known(given)
      : unknown(`${name} is known when the stack is created (--parameter ${name}=VALUE)`);
  }
  if (name in scope.resources)
    return unknown(`Ref ${name} is the id of resource ${name}, known after it is created`);
  return unknown(`Ref ${name} names no parameter or resource of the template`);
}

function all(values: Known<unknown>[]): Known<unknown[]> {
  const missing = values.find((v) => !v.known);
  if (missing && !missing.known) return unknown(missing.why);
  return known(values.map((v) => (v.known ? v.value : undefined)));
}

/** A condition by name, three-valued; cycles are reported as unknown. */
export function condition(scope: RosScope, name: string, seen: string[] = []): Known<boolean> {
  if (seen.includes(name)) return unknown(`condition ${name} refers to itself`);
  if (!(name in scope.conditions)) return unknown(`condition ${name} is not defined`);
  return truth(scope, scope.conditions[name], [...seen, name]);
}

function truth(scope: RosScope, node: unknown, seen: string[]): Known<boolean> {
  const v = resolve(scope, node, seen);
  if (!v.known) return v;
  if (typeof v.value === 'boolean') return known(v.value);
  return unknown(`condition value ${JSON.stringify(v.value)} is not true or false`);
}

function logic(scope: RosScope, fn: string, args: unknown, seen: string[]): Known<unknown> {
  const list = Array.isArray(args) ? args : [args];
  if (fn === 'Fn::Equals') {
    const [a, b] = list.map((x) => resolve(scope, x, seen));
    if (!a?.known) return a ?? unknown('Fn::Equals needs two values');
    if (!b?.known) return b ?? unknown('Fn::Equals needs two values');
    return known(isDeepStrictEqual(a.value, b.value) || String(a.value) === String(b.value));
  }
  const values = list.map((x) => truth(scope, x, seen));
  const open = values.find((v) => !v.known);
  if (fn === 'Fn::Not') {
    const [v] = values;
    return v?.known ? known(!v.value) : (v ?? unknown('Fn::Not needs a condition'));
  }
  const decisive = fn !== 'Fn::And';
  if (values.some((v) => v.known && v.value === decisive)) return known(decisive);
  return open && !open.known ? unknown(open.why) : known(!decisive);
}

function fnIf(scope: RosScope, args: unknown, seen: string[]): Known<unknown> {
  const [name, yes, no] = Array.isArray(args) ? args : [];
  const c = typeof name === 'string' ? condition(scope, name, seen) : truth(scope, name, seen);
  if (c.known) return resolve(scope, c.value ? yes : no, seen);
  const a = resolve(scope, yes, seen);
  const b = resolve(scope, no, seen);
  if (a.known && b.known && isDeepStrictEqual(a.value, b.value)) return a;
  return unknown(`depends on condition ${String(name)}: ${c.why}`);
}

function sub(scope: RosScope, args: unknown, seen: string[]): Known<unknown> {
  const [template, vars] = Array.isArray(args) ? args : [args, {}];
  if (typeof template !== 'string') return unknown('Fn::Sub needs a string');
  const local = asRecord(vars);
  let missing: string | undefined;
  const out = template.replace(/\$\{([^}!][^}]*)\}/g, (_m, name: string) => {
    const v =
      name in local
        ? resolve(scope, local[name], seen)
        : name.includes('.')
          ? unknown(`\${${name}} is known after the stack is created`)
          : ref(scope, name);
    if (!v.known) missing ??= v.why;
    return v.known ? String(v.value) : '';
  });
  return missing ? unknown(missing) : known(out);
}

/** Resolves a template value; objects and arrays are resolved deeply. */
export function resolve(scope: RosScope, node: unknown, seen: string[] = []): Known<unknown> {
  if (Array.isArray(node)) return all(node.map((x) => resolve(scope, x, seen)));
  if (typeof node !== 'object' || node === null) return known(node);
  const entries = Object.entries(node as Record<string, unknown>);
  const [first] = entries;
  if (entries.length === 1 && first) {
    const [fn, args] = first;
    if (fn === 'Ref') return ref(scope, args);
    if (fn === 'Condition' && typeof args === 'string') return condition(scope, args, seen);
    if (fn === 'Fn::If') return fnIf(scope, args, seen);
    if (fn === 'Fn::Equals' || fn === 'Fn::Not' || fn === 'Fn::And' || fn === 'Fn::Or')
      return logic(scope, fn, args, seen);
    if (fn === 'Fn::Sub') return sub(scope, args, seen);
    if (fn === 'Fn::Join') {
      const v = resolve(scope, args, seen);
      if (!v.known) return v;
      const [delim, list] = v.value as [unknown, unknown];
      return Array.isArray(list)
        ? known(list.map(String).join(String(delim ?? '')))
        : unknown('Fn::Join needs a list');
    }
    if (fn === 'Fn::Select') {
      const v = resolve(scope, args, seen);
      if (!v.known) return v;
      const [index, list] = v.value as [unknown, unknown];
      return Array.isArray(list) && Number(index) in list
        ? known(list[Number(index)])
        : unknown('Fn::Select index is out of range');
    }
    if (fn === 'Fn::GetAtt')
      return unknown(`Fn::GetAtt ${JSON.stringify(args)} is known after the stack is created`);
    if (fn.startsWith('Fn::')) return unknown(`${fn} is not evaluated before deployment by oss-sse-guard`);
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of entries) {
    const r = resolve(scope, v, seen);
    if (!r.known) return r;
    if (r.value !== NO_VALUE) out[k] = r.value;
  }
  return known(out);
}
