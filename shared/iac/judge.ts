/**
 * The policy judgement for a planned bucket, pure. It calls the audit's own `evaluate` (rule matching,
 * exemptions, "meets", key comparison) and its own `isWeaker` ("never weaker"); what is added here is
 * only how to decide when some input is known only after apply: the judgement is run for every value
 * the unknown input could take, and the bucket gets a verdict only when they all agree; otherwise it is
 * `unknown`, never a pass.
 */
import type { SseConfig } from '../model.js';
import { type BucketRef, evaluate, resolveRule, ruleMatches, type Verdict } from '../policy/evaluate.js';
import { canonicalKey, describeConfig, isWeaker, type KeyResolver } from '../policy/levels.js';
import type { Policy, Requirement, Rule } from '../policy/schema.js';
import type { IacBucket, PlannedSse } from './types.js';

export type IacStatus = 'compliant' | 'noncompliant' | 'exempt' | 'unknown';

export interface IacVerdict {
  status: IacStatus;
  ruleId: string;
  /** The planned configuration; parts known only after apply read `(known after apply)`. */
  observed: SseConfig | null;
  required: SseConfig | null;
  requirement: string;
  reason: string;
  cis: string[];
}

/** Shown for a CMK id or data encryption the source cannot give before deployment. */
export const UNKNOWN_TEXT = '(known after apply)';
/** A key id no real key has: "some CMK other than the one required". */
const OTHER_KEY = 'oss-sse-guard-iac-other-key';
/** Selector fields that this release of the policy schema may carry; `accounts` arrives with issue 17. */
const SELECTORS = ['buckets', 'regions', 'tags', 'accounts'] as const;
/** Requirement fields about the key's own facts (issue 13): only KMS can tell them, at run time. */
const RUNTIME_REQUIREMENTS = ['keyProtection', 'keyOrigin'] as const;

interface Candidate {
  /** The policy reduced to this one rule (selectors removed) or to the defaults. */
  policy: Policy;
  ruleId: string;
}

function withoutFields<T extends object>(value: T, fields: readonly string[]): T {
  const copy = { ...value } as Record<string, unknown>;
  for (const f of fields) delete copy[f];
  return copy as T;
}

/** Notes the run-time-only requirement fields of `req` and returns it without them. */
function splitRuntime(req: Requirement, runtime: Set<string>): Requirement {
  for (const f of RUNTIME_REQUIREMENTS) {
    const v = (req as Record<string, unknown>)[f];
    if (v !== undefined) runtime.add(`${f} ${String(v)}: checked at run time`);
  }
  return withoutFields(req, RUNTIME_REQUIREMENTS);
}

/** The policy reduced to one rule with its selectors removed: that rule decides whatever bucket is judged. */
export function ruleAlone(policy: Policy, rule: Rule): Policy {
  return { ...policy, rules: [withoutFields(rule, SELECTORS)] };
}

/** Whether `rule` selects the bucket: yes, no, or maybe (a selector reads a value known only later). */
function applies(rule: Rule, b: IacBucket, whys: Set<string>): 'yes' | 'no' | 'maybe' {
  const decided: Record<string, unknown> = { ...rule };
  let maybe = false;
  const setAside = (field: string, why: string) => {
    delete decided[field];
    maybe = true;
    whys.add(why);
  };
  if (rule.buckets && !b.name.known) setAside('buckets', `bucket name ${b.name.why}`);
  if (rule.regions && !b.region.known) setAside('regions', `region ${b.region.why}`);
  if (rule.tags && !b.tags.known) setAside('tags', `tags ${b.tags.why}`);
  if ((rule as Record<string, unknown>).accounts !== undefined) {
    setAside('accounts', `rule ${rule.id} selects accounts: checked at run time`);
  }
  const probe: BucketRef = {
    name: b.name.known ? b.name.value : '',
    region: b.region.known ? b.region.value : '',
    ...(b.tags.known ? { tags: b.tags.value } : {}),
  };
  if (!ruleMatches(decided as Rule, probe)) return 'no';
  return maybe ? 'maybe' : 'yes';
}

/** The rules that may decide this bucket, in policy order, ending with the defaults if none surely does. */
function candidates(policy: Policy, b: IacBucket, whys: Set<string>, runtime: Set<string>): Candidate[] {
  const defaults = { ...policy.defaults, sse: splitRuntime(policy.defaults.sse, runtime) };
  const out: Candidate[] = [];
  for (const rule of policy.rules) {
    const a = applies(rule, b, whys);
    if (a === 'no') continue;
    const [bare] = ruleAlone(policy, rule).rules;
    const only = bare?.sse ? { ...bare, sse: splitRuntime(bare.sse, runtime) } : bare;
    out.push({ policy: { ...policy, defaults, rules: only ? [only] : [] }, ruleId: rule.id });
    if (a === 'yes') return out;
  }
  out.push({ policy: { ...policy, defaults, rules: [] }, ruleId: 'defaults' });
  return out;
}

/** Every configuration the planned encryption may turn out to be, given the requirement at hand. */
function possibleConfigs(sse: PlannedSse, req: Requirement, whys: Set<string>): Array<SseConfig | null> {
  if (sse.kind === 'config') return [sse.config];
  const keys = [...new Set([req.kmsKeyId, OTHER_KEY].filter((k): k is string => k !== undefined))];
  if (sse.kind === 'unknown') {
    whys.add(`encryption ${sse.why}`);
    return [
      null,
      { algorithm: 'AES256' },
      { algorithm: 'SM4' },
      { algorithm: 'KMS' },
      ...keys.map((k) => ({ algorithm: 'KMS' as const, kmsKeyId: k })),
      ...keys.map((k) => ({ algorithm: 'KMS' as const, kmsKeyId: k, kmsDataEncryption: 'SM4' as const })),
    ];
  }
  if (!sse.kmsKeyId.known) whys.add(`KMS key id ${sse.kmsKeyId.why}`);
  if (!sse.kmsDataEncryption.known) whys.add(`KMS data encryption ${sse.kmsDataEncryption.why}`);
  const keyOptions = sse.kmsKeyId.known ? [sse.kmsKeyId.value] : keys;
  const dataOptions = sse.kmsDataEncryption.known
    ? [sse.kmsDataEncryption.value]
    : [undefined, 'SM4' as const];
  const out: SseConfig[] = [];
  for (const k of keyOptions) {
    for (const d of dataOptions) {
      out.push({
        algorithm: sse.algorithm,
        ...(k ? { kmsKeyId: k } : {}),
        ...(d ? { kmsDataEncryption: d } : {}),
      });
    }
  }
  return out;
}

/**
 * Key resolvers to judge with. An alias can only be resolved by KMS at run time, so when an alias meets a
 * different reference, both answers are tried: the alias names that key, or another one.
 */
function resolvers(
  observed: SseConfig | null,
  req: Requirement,
  aliases: ReadonlyMap<string, string>,
  newKeys: ReadonlySet<string>,
  whys: Set<string>,
): KeyResolver[] {
  const planned: KeyResolver = (ref) => aliases.get(ref);
  const have = observed?.kmsKeyId;
  const want = req.kmsKeyId;
  if (!have || !want || have === OTHER_KEY) return [planned];
  const a = canonicalKey(have, planned);
  const b = canonicalKey(want, planned);
  const open = [a, b].filter((k) => k.startsWith('alias/'));
  // A key this plan creates is new: no alias that exists before the apply can name it.
  if (a === b || open.length === 0 || newKeys.has(a)) return [planned];
  for (const alias of open) whys.add(`KMS alias ${alias} can only be resolved at run time`);
  const target = [a, b].find((k) => !k.startsWith('alias/')) ?? 'oss-sse-guard-iac-same-key';
  return [planned, (ref) => (open.includes(canonicalKey(ref, planned)) ? target : planned(ref))];
}

/** The "never weaker" rule for an update: a bucket may not lose strength unless the rule asks exactly. */
function neverWeaker(v: Verdict, before: SseConfig | null | undefined, c: Candidate): Verdict {
  if (before === undefined || v.status !== 'compliant' || !v.observed) return v;
  if (resolveRule(c.policy, v.bucket).match === 'exact' || !isWeaker(v.observed, before)) return v;
  return {
    ...v,
    status: 'noncompliant',
    reason: `the plan weakens the bucket from ${describeConfig(before)} to ${describeConfig(v.observed)}; never weaker (${v.reason})`,
  };
}

/** What the table and JSON show as the planned configuration. */
function shownConfig(sse: PlannedSse): SseConfig | null {
  if (sse.kind === 'config') return sse.config;
  if (sse.kind === 'unknown') return null;
  const key = sse.kmsKeyId.known ? sse.kmsKeyId.value : UNKNOWN_TEXT;
  const data = sse.kmsDataEncryption.known ? sse.kmsDataEncryption.value : undefined;
  return {
    algorithm: sse.algorithm,
    ...(key ? { kmsKeyId: key } : {}),
    ...(data ? { kmsDataEncryption: data } : {}),
  };
}

export interface JudgeOptions {
  now: Date;
  /** `alias/...` -> key id, where the plan itself creates the alias. */
  aliases?: ReadonlyMap<string, string>;
  /** Ids that stand for KMS keys the plan creates (no existing alias or id can name them). */
  newKeys?: ReadonlySet<string>;
}

/** Judges one planned bucket against the policy. */
export function judgeBucket(policy: Policy, b: IacBucket, opts: JudgeOptions): IacVerdict {
  const whys = new Set<string>();
  const runtime = new Set<string>();
  const aliases = opts.aliases ?? new Map<string, string>();
  const ref: BucketRef = {
    name: b.name.known ? b.name.value : UNKNOWN_TEXT,
    region: b.region.known ? b.region.value : '(unknown)',
    ...(b.tags.known ? { tags: b.tags.value } : {}),
  };
  const verdicts: Verdict[] = [];
  for (const c of candidates(policy, b, whys, runtime)) {
    const req = resolveRule(c.policy, ref).sse;
    for (const observed of possibleConfigs(b.sse, req, whys)) {
      for (const resolveKey of resolvers(observed, req, aliases, opts.newKeys ?? new Set(), whys)) {
        const v = evaluate(c.policy, ref, observed, { now: opts.now, resolveKey });
        verdicts.push(neverWeaker(v, b.before, c));
      }
    }
  }
  const [first] = verdicts;
  if (!first) throw new Error('no verdict: the defaults are always a candidate');
  const statuses = new Set(verdicts.map((v) => v.status));
  const notes = [...b.notes, ...runtime];
  const tail = notes.length > 0 ? `; ${notes.join('; ')}` : '';
  const base = {
    ruleId: first.ruleId,
    observed: shownConfig(b.sse),
    required: first.required,
    requirement: first.requirement,
    cis: first.cis,
  };
  if (statuses.size === 1) {
    const open = whys.size > 0 ? ` (whatever ${[...whys].join(', ')})` : '';
    return { ...base, status: first.status, reason: `${first.reason}${open}${tail}` };
  }
  const outcomes = [...new Set(verdicts.map((v) => `${v.status} under ${v.ruleId}`))].join(', ');
  return {
    ...base,
    status: 'unknown',
    reason: `cannot be decided before apply: ${[...whys].join('; ')}; possible outcomes: ${outcomes}${tail}`,
  };
}
