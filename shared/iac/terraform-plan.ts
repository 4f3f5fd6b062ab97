/**
 * Terraform plan JSON (`terraform show -json PLANFILE`, format_version 1.x) -> planned buckets. Every
 * `alicloud_oss_bucket` that the plan creates, updates, replaces or keeps, with its inline
 * `server_side_encryption_rule`, and every `alicloud_oss_bucket_server_side_encryption` joined to its
 * bucket through the configuration's references (else by literal bucket name). The standalone resource
 * wins over the inline block, as it is applied after the bucket. Values in `after_unknown` are unknown
 * ("known after apply"), never read as absent.
 */
import type { SseConfig } from '../model.js';
import {
  addressLines,
  asArray,
  asObject,
  type ConfigResource,
  configAddress,
  indexConfiguration,
  isObject,
  type JsonObject,
  planVariables,
  providerRegion,
  referencedResource,
  referencesOf,
} from './terraform-config.js';
import {
  type IacBucket,
  IacInputError,
  type Known,
  known,
  type PlannedSse,
  parseAlgorithm,
  plannedKms,
  unknown,
} from './types.js';

const BUCKET = 'alicloud_oss_bucket';
const BUCKET_SSE = 'alicloud_oss_bucket_server_side_encryption';
const KMS_KEY = 'alicloud_kms_key';
const KMS_ALIAS = 'alicloud_kms_alias';

interface Instance {
  address: string;
  moduleAddress: string;
  config?: ConfigResource;
  actions: string[];
  before: JsonObject | null;
  after: JsonObject | null;
  afterUnknown: JsonObject;
}

export interface TerraformPlanResult {
  buckets: IacBucket[];
  /** `alias/...` -> key id (or the symbolic id of a key this plan creates). */
  aliases: Map<string, string>;
  /** Symbolic ids of the KMS keys this plan creates (`alicloud_kms_key.k.id`): new, so no existing key. */
  newKeys: Set<string>;
}

const AFTER_APPLY = 'known after apply';

/** The symbolic id of a KMS key this plan creates: it is new, so it is no existing key. */
function createdKeyId(keyAddress: string): string {
  return `${keyAddress}.id`;
}

/** A KMS key reference as judged: a literal, the key this plan creates, or unknown. */
function keyRef(
  value: unknown,
  isUnknown: boolean,
  expression: unknown,
  modulePath: string,
): Known<string | undefined> {
  if (!isUnknown) return known(typeof value === 'string' && value !== '' ? value : undefined);
  const key = referencedResource(referencesOf(expression), [KMS_KEY], modulePath);
  if (key) return known(createdKeyId(key));
  return unknown(`is ${AFTER_APPLY}${source(expression)}`);
}

/** ` (random_integer.default.result)`: the reference that makes a value unknown (not a known variable). */
function source(expression: unknown): string {
  const refs = referencesOf(expression);
  const ref = refs.find((r) => !/^(var|local)\./.test(r)) ?? refs[0];
  return ref ? ` (${ref})` : '';
}

/** The encryption an SSE object (inline block or standalone resource) plans. */
function plannedSse(
  values: JsonObject,
  flags: JsonObject | true,
  expressions: JsonObject,
  modulePath: string,
): PlannedSse {
  if (flags === true || flags.sse_algorithm === true) {
    return { kind: 'unknown', why: `is ${AFTER_APPLY}` };
  }
  const algorithm = parseAlgorithm(values.sse_algorithm);
  if (!algorithm) return { kind: 'config', config: null };
  const kmsKeyId = keyRef(
    values.kms_master_key_id,
    flags.kms_master_key_id === true,
    expressions.kms_master_key_id,
    modulePath,
  );
  const kmsDataEncryption: Known<'SM4' | undefined> =
    flags.kms_data_encryption === true
      ? unknown(`is ${AFTER_APPLY}`)
      : known(values.kms_data_encryption === 'SM4' ? 'SM4' : undefined);
  if (algorithm !== 'KMS') return { kind: 'config', config: { algorithm } };
  return plannedKms(kmsKeyId, kmsDataEncryption);
}

/** Only the known part of a planned SSE, as `before` for "never weaker". */
function knownConfig(sse: PlannedSse): SseConfig | null | undefined {
  return sse.kind === 'config' ? sse.config : undefined;
}

function inlineSse(values: JsonObject | null, flags: JsonObject, config?: ConfigResource): PlannedSse {
  if (flags.server_side_encryption_rule === true) return { kind: 'unknown', why: `is ${AFTER_APPLY}` };
  const rule = asArray(values?.server_side_encryption_rule)[0];
  if (!isObject(rule)) return { kind: 'config', config: null };
  const ruleFlags = asArray(flags.server_side_encryption_rule)[0];
  const expr = asObject(asArray(config?.expressions.server_side_encryption_rule)[0]);
  return plannedSse(rule, ruleFlags === true ? true : asObject(ruleFlags), expr, config?.modulePath ?? '');
}

function readInstances(plan: JsonObject, configs: Map<string, ConfigResource>): Instance[] {
  return asArray(plan.resource_changes).flatMap((rc): Instance[] => {
    const r = asObject(rc);
    if (r.mode !== 'managed' || typeof r.address !== 'string' || r.deposed !== undefined) return [];
    const change = asObject(r.change);
    const config = configs.get(configAddress(r.address));
    return [
      {
        address: r.address,
        moduleAddress: typeof r.module_address === 'string' ? r.module_address : '',
        ...(config ? { config } : {}),
        actions: asArray(change.actions).filter((a): a is string => typeof a === 'string'),
        before: isObject(change.before) ? change.before : null,
        after: isObject(change.after) ? change.after : null,
        afterUnknown: asObject(change.after_unknown),
      },
    ];
  });
}

const typeOf = (i: Instance) => configAddress(i.address).split('.').slice(-2, -1)[0];
const removes = (i: Instance) => i.actions.length === 1 && i.actions[0] === 'delete';
const indexKey = (address: string) => /(\[[^\]]*\])$/.exec(address)?.[1] ?? '';

/** The bucket instance a standalone encryption resource configures, if it is in this plan. */
function joinBucket(sse: Instance, buckets: Array<{ i: Instance; b: IacBucket }>) {
  const refs = referencesOf(sse.config?.expressions.bucket);
  const target = referencedResource(refs, [BUCKET], sse.config?.modulePath ?? '');
  if (target) {
    const same = buckets.filter(
      (x) => configAddress(x.i.address) === target && x.i.moduleAddress === sse.moduleAddress,
    );
    const hit =
      same.length === 1 ? same[0] : same.find((x) => indexKey(x.i.address) === indexKey(sse.address));
    if (hit) return hit;
  }
  const name = (sse.after ?? sse.before)?.bucket;
  if (typeof name === 'string') return buckets.find((x) => x.b.name.known && x.b.name.value === name);
  return undefined;
}

export function parseTerraformPlan(file: string, text: string, plan: JsonObject): TerraformPlanResult {
  const version = typeof plan.format_version === 'string' ? plan.format_version : '';
  if (!/^1\.\d+$/.test(version)) {
    throw new IacInputError(
      file,
      `format_version "${version}" is not supported; expected 1.x (terraform show -json)`,
    );
  }
  const configs = indexConfiguration(plan.configuration);
  const variables = planVariables(plan);
  const instances = readInstances(plan, configs);
  const lines = addressLines(text, text.indexOf('"resource_changes"'));
  const buckets: Array<{ i: Instance; b: IacBucket }> = [];
  const aliases = new Map<string, string>();

  for (const i of instances) {
    const type = typeOf(i);
    if (type === KMS_ALIAS && i.after && typeof i.after.alias_name === 'string') {
      const key = keyRef(
        i.after.key_id,
        i.afterUnknown.key_id === true,
        i.config?.expressions.key_id,
        i.config?.modulePath ?? '',
      );
      if (key.known && key.value) aliases.set(i.after.alias_name, key.value);
    }
    if (type !== BUCKET || removes(i) || i.actions.includes('read') || !i.after) continue;
    const line = lines.get(i.address);
    const regionFromState =
      typeof i.before?.location === 'string' ? i.before.location.replace(/^oss-/, '') : undefined;
    const name: Known<string> =
      typeof i.after.bucket === 'string'
        ? known(i.after.bucket)
        : unknown(
            `is ${AFTER_APPLY}${referencesOf(i.config?.expressions.bucket).length ? ` (${referencesOf(i.config?.expressions.bucket)[0]})` : ''}`,
          );
    const tags: Known<Record<string, string>> =
      i.afterUnknown.tags === true
        ? unknown(`are ${AFTER_APPLY}`)
        : known(Object.fromEntries(Object.entries(asObject(i.after.tags)).map(([k, v]) => [k, String(v)])));
    const sse = inlineSse(i.after, i.afterUnknown, i.config);
    const before = i.actions.includes('update') ? knownConfig(inlineSse(i.before, {}, i.config)) : undefined;
    buckets.push({
      i,
      b: {
        file,
        source: 'terraform-plan',
        address: i.address,
        resourceType: BUCKET,
        ...(line !== undefined ? { line } : {}),
        name,
        region: regionFromState
          ? known(regionFromState)
          : providerRegion(plan.configuration, i.config?.providerKey, variables),
        tags,
        sse,
        ...(before !== undefined ? { before } : {}),
        notes: [],
      },
    });
  }

  const standalone: IacBucket[] = [];
  for (const i of instances) {
    if (typeOf(i) !== BUCKET_SSE || i.actions.includes('read')) continue;
    const modulePath = i.config?.modulePath ?? '';
    const expr = i.config?.expressions ?? {};
    const beforeSse =
      i.before && !i.actions.includes('create') ? plannedSse(i.before, {}, expr, modulePath) : undefined;
    const afterSse: PlannedSse =
      removes(i) || !i.after
        ? { kind: 'config', config: null }
        : plannedSse(i.after, i.afterUnknown, expr, modulePath);
    const hit = joinBucket(i, buckets);
    if (hit) {
      if (removes(i)) {
        hit.b.notes.push(`${i.address} is destroyed, which removes the bucket's encryption`);
        hit.b.sse = { kind: 'config', config: null };
      } else {
        const inline = hit.b.sse.kind !== 'config' || hit.b.sse.config !== null;
        hit.b.sse = afterSse;
        hit.b.notes.push(
          `encryption set by ${i.address}${inline ? ' (over the inline server_side_encryption_rule)' : ''}`,
        );
      }
      const prior = beforeSse ? knownConfig(beforeSse) : undefined;
      if (prior !== undefined) hit.b.before = prior;
      continue;
    }
    if (removes(i)) continue;
    // The bucket is not in this plan (it exists already, or is managed elsewhere): judge it by this resource.
    const line = lines.get(i.address);
    const name = i.after?.bucket;
    const prior = beforeSse ? knownConfig(beforeSse) : undefined;
    standalone.push({
      file,
      source: 'terraform-plan',
      address: i.address,
      resourceType: BUCKET_SSE,
      ...(line !== undefined ? { line } : {}),
      name: typeof name === 'string' ? known(name) : unknown(`is ${AFTER_APPLY}`),
      region: providerRegion(plan.configuration, i.config?.providerKey, variables),
      tags: unknown('are not in this plan (the bucket is not created or changed by it)'),
      sse: afterSse,
      ...(prior !== undefined ? { before: prior } : {}),
      notes: [`encryption set by ${i.address} on a bucket outside this plan`],
    });
  }
  const newKeys = new Set(
    instances
      .filter((i) => typeOf(i) === KMS_KEY && i.actions.includes('create'))
      .map((i) => createdKeyId(configAddress(i.address))),
  );
  return { buckets: [...buckets.map((x) => x.b), ...standalone], aliases, newKeys };
}
