/**
 * The `configuration` part of a Terraform plan JSON (Terraform's documented "JSON Output Format": provider
 * configs, modules, resources with expressions that hold a `constant_value` or `references`). It is what
 * joins resources to each other (a standalone encryption resource to its bucket, a bucket to its KMS key)
 * and what gives the region, because the plan's values do not carry the provider's region.
 */
import { type Known, known, unknown } from './types.js';

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

export const isObject = (v: unknown): v is JsonObject =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const asArray = (v: unknown): Json[] => (Array.isArray(v) ? v : []);
export const asObject = (v: unknown): JsonObject => (isObject(v) ? v : {});

export interface ConfigResource {
  /** Absolute configuration address without instance keys: `module.logs.alicloud_oss_bucket.this`. */
  address: string;
  /** `module.logs` (no instance keys), `''` for the root module. */
  modulePath: string;
  providerKey?: string;
  expressions: JsonObject;
}

/** Removes instance keys: `module.a["x"].alicloud_oss_bucket.b[0]` -> `module.a.alicloud_oss_bucket.b`. */
export function configAddress(instanceAddress: string): string {
  return instanceAddress.replace(/\[(?:\d+|"(?:[^"\\]|\\.)*")\]/g, '');
}

/** The `references` of an expression, or none (a constant or no expression). */
export function referencesOf(expression: unknown): string[] {
  return asArray(asObject(expression).references).filter((r): r is string => typeof r === 'string');
}

/**
 * The resource a reference list points to, of one of `types`, as an absolute configuration address:
 * `alicloud_oss_bucket.b.bucket` inside `module.logs` -> `module.logs.alicloud_oss_bucket.b`.
 */
export function referencedResource(
  refs: string[],
  types: readonly string[],
  modulePath: string,
): string | undefined {
  for (const ref of refs) {
    // `alicloud_oss_bucket.b[count.index].bucket`: the name ends where an index expression starts.
    const [type, rawName] = ref.split('.');
    const name = rawName?.replace(/\[.*$/, '');
    if (type && name && types.includes(type))
      return modulePath ? `${modulePath}.${type}.${name}` : `${type}.${name}`;
  }
  return undefined;
}

/** The configuration's resources by absolute address, walking `module_calls` recursively. */
export function indexConfiguration(configuration: unknown): Map<string, ConfigResource> {
  const out = new Map<string, ConfigResource>();
  const walk = (module: unknown, modulePath: string) => {
    for (const r of asArray(asObject(module).resources)) {
      const res = asObject(r);
      if (typeof res.address !== 'string') continue;
      // Addresses inside module_calls are module-relative; accept an absolute one as well.
      const rel =
        modulePath && res.address.startsWith(`${modulePath}.`)
          ? res.address.slice(modulePath.length + 1)
          : res.address;
      const address = modulePath ? `${modulePath}.${rel}` : rel;
      out.set(address, {
        address,
        modulePath,
        ...(typeof res.provider_config_key === 'string' ? { providerKey: res.provider_config_key } : {}),
        expressions: asObject(res.expressions),
      });
    }
    for (const [name, call] of Object.entries(asObject(asObject(module).module_calls))) {
      walk(asObject(call).module, modulePath ? `${modulePath}.module.${name}` : `module.${name}`);
    }
  };
  walk(asObject(configuration).root_module, '');
  return out;
}

/** Root-module input variables as the plan gives them (`variables.<name>.value`). */
export function planVariables(plan: JsonObject): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const [k, v] of Object.entries(asObject(plan.variables))) out.set(k, asObject(v).value ?? null);
  return out;
}

/**
 * The region of a provider configuration: its `region` constant, or a root variable it names, else
 * unknown (then the provider takes it from the environment at run time).
 */
export function providerRegion(
  configuration: unknown,
  providerKey: string | undefined,
  variables: ReadonlyMap<string, Json>,
): Known<string> {
  const configs = asObject(asObject(configuration).provider_config);
  const wanted = providerKey ?? 'alicloud';
  // Older Terraform releases key a module's inherited provider as `<module>:alicloud`.
  const key = isObject(configs[wanted]) ? wanted : (wanted.split(':').pop() ?? wanted);
  const config = asObject(configs[key]);
  if (!isObject(configs[key])) return unknown(`is not in the plan: no provider configuration "${wanted}"`);
  const region = asObject(asObject(config.expressions).region);
  if (typeof region.constant_value === 'string') return known(region.constant_value);
  const refs = referencesOf(region);
  const variable = refs.find((r) => /^var\.[A-Za-z0-9_-]+$/.test(r));
  if (variable && typeof config.module_address !== 'string') {
    const value = variables.get(variable.slice(4));
    if (typeof value === 'string') return known(value);
  }
  if (refs.length > 0)
    return unknown(`comes from ${refs.join(', ')} in provider "${key}", not known in the plan`);
  return unknown(`is not set in provider "${key}" (the provider reads it from the environment at run time)`);
}

/**
 * The 1-based line of every `"address": "<address>"` after `from` in the plan text (the first one wins),
 * found in one pass: a plan of 10,000 resources is read once, not once per resource.
 */
export function addressLines(text: string, from: number): Map<string, number> {
  const out = new Map<string, number>();
  const re = /"address"\s*:\s*("(?:[^"\\]|\\.)*")/g;
  re.lastIndex = Math.max(0, from);
  let line = 1;
  let scanned = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    for (let k = text.indexOf('\n', scanned); k !== -1 && k < m.index; k = text.indexOf('\n', k + 1))
      line += 1;
    scanned = m.index;
    const address = JSON.parse(m[1] as string) as string;
    if (!out.has(address)) out.set(address, line);
  }
  return out;
}
