/**
 * Checks one fc3 resource's props against the fc3 schema's requirements, explicitly (no JSON-schema
 * validator is installed). The enums, required lists and bounds are read from the schema excerpt in
 * test/fixtures/fc3/ (devsapp/fc3 src/schema.json), so a check fails for the reason the component would.
 * Returns one line per problem, each naming its path in the props: `triggers[0].triggerConfig.events: ...`.
 */
import { readFileSync } from 'node:fs';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Obj = { [key: string]: Json };

const SCHEMA_URL = new URL('../fixtures/fc3/schema-subset.json', import.meta.url);

/** The schema excerpt, parsed. */
export function loadFc3Schema(): Obj {
  return JSON.parse(readFileSync(SCHEMA_URL, 'utf8')) as Obj;
}

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `schema` at a dotted path (`definitions.IRuntime.enum`), or a thrown error naming the path. */
export function at(schema: Obj, path: string): Json {
  let cur: Json = schema;
  for (const part of path.split('.')) {
    if (!isObj(cur) || !(part in cur)) throw new Error(`fc3 schema excerpt: no ${path}`);
    cur = cur[part] as Json;
  }
  return cur;
}

function strings(schema: Obj, path: string): string[] {
  const v = at(schema, path);
  if (!Array.isArray(v) || !v.every((s) => typeof s === 'string'))
    throw new Error(`${path}: not a string list`);
  return v as string[];
}

/** Props the schema requires: `required`, then the branch of `if`/`then`/`else` the runtime selects. */
export function requiredProps(schema: Obj, runtime: unknown): string[] {
  const out = new Set(strings(schema, 'required'));
  const branch = (node: Json): void => {
    if (!isObj(node)) return;
    const cond = node.if;
    const rt = isObj(cond) && isObj(cond.properties) ? cond.properties.runtime : undefined;
    let matches = false;
    if (isObj(rt) && typeof runtime === 'string') {
      if (typeof rt.const === 'string') matches = runtime === rt.const;
      else if (typeof rt.pattern === 'string') matches = new RegExp(rt.pattern).test(runtime);
    }
    const next = matches ? node.then : node.else;
    if (isObj(next) && Array.isArray(next.required)) {
      for (const r of next.required) if (typeof r === 'string') out.add(r);
    }
    if (!matches) branch(next ?? null);
  };
  branch(schema);
  return [...out];
}

function checkNumber(schema: Obj, name: string, value: Json | undefined, problems: string[]): void {
  if (value === undefined) return;
  const def = at(schema, `properties.${name}`);
  if (!isObj(def)) return;
  if (typeof value !== 'number') {
    problems.push(`${name}: must be a number, got ${JSON.stringify(value)}`);
    return;
  }
  if (def.type === 'integer' && !Number.isInteger(value)) problems.push(`${name}: must be an integer`);
  if (typeof def.minimum === 'number' && value < def.minimum) problems.push(`${name}: below ${def.minimum}`);
  if (typeof def.maximum === 'number' && value > def.maximum) problems.push(`${name}: above ${def.maximum}`);
  if (typeof def.multipleOf === 'number' && value % def.multipleOf !== 0)
    problems.push(`${name}: must be a multiple of ${def.multipleOf}`);
  if (Array.isArray(def.enum) && !def.enum.includes(value))
    problems.push(`${name}: must be one of ${def.enum.join(', ')}`);
}

function checkRequired(obj: Obj, required: string[], path: string, problems: string[]): void {
  for (const r of required) if (!(r in obj)) problems.push(`${path}${r}: required by fc3`);
}

function checkString(obj: Obj, key: string, path: string, problems: string[]): void {
  if (key in obj && typeof obj[key] !== 'string') problems.push(`${path}${key}: must be a string`);
}

function checkTimer(schema: Obj, config: Obj, path: string, problems: string[]): void {
  checkRequired(config, strings(schema, 'definitions.ITimerTriggerConfig.required'), path, problems);
  checkString(config, 'cronExpression', path, problems);
  checkString(config, 'payload', path, problems);
  if ('enable' in config && typeof config.enable !== 'boolean')
    problems.push(`${path}enable: must be a boolean`);
}

function checkOss(schema: Obj, config: Obj, path: string, problems: string[]): void {
  checkRequired(config, strings(schema, 'definitions.IOssTriggerConfig.required'), path, problems);
  const allowed = strings(schema, 'definitions.IOssTriggerConfig.properties.events.items.enum');
  const { events, filter } = config;
  if (events !== undefined) {
    if (!Array.isArray(events) || events.length === 0)
      problems.push(`${path}events: must be a non-empty list`);
    else
      events.forEach((e, i) => {
        if (typeof e !== 'string' || !allowed.includes(e))
          problems.push(`${path}events[${i}]: ${JSON.stringify(e)} is not an OSS event fc3 accepts`);
      });
  }
  if (filter === undefined) return;
  if (!isObj(filter) || !isObj(filter.key)) {
    problems.push(`${path}filter.key: required by fc3`);
    return;
  }
  const keyRequired = strings(
    schema,
    'definitions.IOssTriggerConfig.properties.filter.properties.key.required',
  );
  checkRequired(filter.key, keyRequired, `${path}filter.key.`, problems);
  for (const k of keyRequired) checkString(filter.key, k, `${path}filter.key.`, problems);
}

/** `value` against a schema node's `type` (object, string, boolean), or a problem line. */
function typeProblem(def: Json | undefined, value: Json | undefined, at: string): string | undefined {
  if (value === undefined || !isObj(def)) return undefined;
  const kind = Array.isArray(value) ? 'list' : value === null ? 'null' : typeof value;
  if (def.type === 'object' && (kind !== 'object' || Array.isArray(value))) return `${at}: must be an object`;
  if (def.type === 'string' && kind !== 'string') return `${at}: must be a string`;
  if (def.type === 'boolean' && kind !== 'boolean') return `${at}: must be a boolean`;
  return undefined;
}

function checkEventBridge(schema: Obj, config: Obj, path: string, problems: string[]): void {
  const def = 'definitions.IEventBridge';
  checkRequired(config, strings(schema, `${def}.required`), path, problems);
  const props = at(schema, `${def}.properties`);
  if (!isObj(props)) return;
  for (const [name, sub] of Object.entries(props)) {
    const problem = typeProblem(sub, config[name], `${path}${name}`);
    if (problem) problems.push(problem);
    const value = config[name];
    // Nested objects (eventSourceConfig, eventSinkConfig): their own `required` and property types.
    if (!isObj(sub) || !isObj(value) || !isObj(sub.properties)) continue;
    if (Array.isArray(sub.required))
      checkRequired(
        value,
        sub.required.filter((r): r is string => typeof r === 'string'),
        `${path}${name}.`,
        problems,
      );
    for (const [k, d] of Object.entries(sub.properties)) {
      const nested = typeProblem(d, value[k], `${path}${name}.${k}`);
      if (nested) problems.push(nested);
    }
  }
  // The component passes the pattern on as text; EventBridge needs it to be a JSON object.
  const pattern = config.eventRuleFilterPattern;
  if (typeof pattern === 'string') {
    try {
      if (!isObj(JSON.parse(pattern) as Json))
        problems.push(`${path}eventRuleFilterPattern: must be a JSON object`);
    } catch {
      problems.push(`${path}eventRuleFilterPattern: is not JSON`);
    }
  }
}

function checkTrigger(schema: Obj, trigger: Json, path: string, problems: string[]): void {
  if (!isObj(trigger)) {
    problems.push(`${path}: must be an object`);
    return;
  }
  const p = `${path}.`;
  checkRequired(trigger, strings(schema, 'definitions.ITrigger.required'), p, problems);
  for (const k of ['triggerName', 'sourceArn', 'invocationRole', 'qualifier', 'description'])
    checkString(trigger, k, p, problems);
  const types = strings(schema, 'definitions.ITriggerType.enum');
  if ('triggerType' in trigger && !types.includes(String(trigger.triggerType)))
    problems.push(
      `${p}triggerType: ${JSON.stringify(trigger.triggerType)} is not one of ${types.join(', ')}`,
    );
  const config = trigger.triggerConfig;
  if (config === undefined) return;
  if (!isObj(config)) {
    problems.push(`${p}triggerConfig: must be an object`);
    return;
  }
  if (trigger.triggerType === 'timer') checkTimer(schema, config, `${p}triggerConfig.`, problems);
  if (trigger.triggerType === 'oss') checkOss(schema, config, `${p}triggerConfig.`, problems);
  if (trigger.triggerType === 'eventbridge') checkEventBridge(schema, config, `${p}triggerConfig.`, problems);
}

/** Every problem fc3's schema would find in one resource's props (for the parts kept in the excerpt). */
export function checkFc3Props(props: Json, schema: Obj = loadFc3Schema()): string[] {
  const problems: string[] = [];
  if (!isObj(props)) return ['props: must be an object'];
  checkRequired(props, requiredProps(schema, props.runtime), '', problems);
  for (const k of ['functionName', 'handler', 'role', 'description']) checkString(props, k, '', problems);

  const runtimes = strings(schema, 'definitions.IRuntime.enum');
  if ('runtime' in props && !runtimes.includes(String(props.runtime)))
    problems.push(`runtime: ${JSON.stringify(props.runtime)} is not a runtime fc3 accepts`);
  const regions = strings(schema, 'definitions.IRegion.enum');
  if ('region' in props && !regions.includes(String(props.region)))
    problems.push(`region: ${JSON.stringify(props.region)} is not a region fc3 accepts`);
  if ('code' in props && typeof props.code !== 'string' && !isObj(props.code))
    problems.push('code: must be a path or {ossBucketName, ossObjectName, src}');

  for (const n of ['memorySize', 'timeout', 'cpu', 'diskSize']) checkNumber(schema, n, props[n], problems);
  if ('internetAccess' in props && typeof props.internetAccess !== 'boolean')
    problems.push('internetAccess: must be a boolean');

  const env = props.environmentVariables;
  if (env !== undefined) {
    if (!isObj(env)) problems.push('environmentVariables: must be a map');
    else
      for (const [k, v] of Object.entries(env))
        if (typeof v !== 'string')
          problems.push(`environmentVariables.${k}: must be a string, got ${JSON.stringify(v)}`);
  }

  const log = props.logConfig;
  if (log !== undefined && log !== 'auto') {
    if (!isObj(log)) problems.push('logConfig: must be "auto" or {project, logstore}');
    else {
      checkRequired(log, strings(schema, 'definitions.ILogConfig.required'), 'logConfig.', problems);
      checkString(log, 'project', 'logConfig.', problems);
      checkString(log, 'logstore', 'logConfig.', problems);
      const rules = strings(schema, 'definitions.ILogConfig.properties.logBeginRule.enum');
      if ('logBeginRule' in log && !rules.includes(String(log.logBeginRule)))
        problems.push(`logConfig.logBeginRule: must be one of ${rules.join(', ')}`);
    }
  }

  const triggers = props.triggers;
  if (triggers !== undefined) {
    if (!Array.isArray(triggers)) problems.push('triggers: must be a list');
    else {
      triggers.forEach((t, i) => {
        checkTrigger(schema, t, `triggers[${i}]`, problems);
      });
      const names = triggers.map((t) => (isObj(t) ? t.triggerName : undefined));
      names.forEach((n, i) => {
        if (n !== undefined && names.indexOf(n) !== i)
          problems.push(`triggers[${i}].triggerName: duplicate ${n}`);
      });
    }
  }
  return problems;
}

export type { Json, Obj };
