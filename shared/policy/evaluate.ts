/**
 * Evaluation, pure: policy x bucket x observed encryption -> verdict. No clock, no network: the time and
 * any key resolution are arguments.
 */
import type { SseConfig } from '../model.js';
import { globMatch } from './glob.js';
import { planRemediation, type Refusal } from './judge.js';
import { judgedConfig, type KeyView, keyProblem } from './keys.js';
import {
  describeRequirement,
  type KeyResolver,
  remediationTarget,
  requiredLevel,
  sameKey,
  unmetReason,
} from './levels.js';
import type { Policy, Requirement, Rule } from './schema.js';

export interface BucketRef {
  name: string;
  region: string;
  /** Bucket tags; only read when some rule selects by tags. */
  tags?: Record<string, string>;
}

export interface ResolvedRule {
  ruleId: string;
  sse: Requirement;
  match: 'at-least' | 'exact';
  remediate: boolean;
  exempt?: { reason: string; until?: string };
}

export type VerdictStatus = 'compliant' | 'noncompliant' | 'exempt';

export interface Verdict {
  bucket: BucketRef;
  ruleId: string;
  status: VerdictStatus;
  observed: SseConfig | null;
  /** The requirement expressed as the configuration remediation would apply to an unencrypted bucket. */
  required: SseConfig | null;
  requirement: string;
  reason: string;
  /** Present when the bucket is non-compliant and the rule remediates: what to apply. */
  target?: SseConfig;
  /** Present when the rule remediates but the target cannot be applied safely. */
  refused?: string;
  remediate: boolean;
  cis: string[];
}

/** Whether a rule's selectors (all given ones) match the bucket. */
export function ruleMatches(rule: Rule, bucket: BucketRef): boolean {
  // An `accounts` selector is resolved per member before the audit (shared/org/account-policy.ts); one
  // still present means no member is known (a single-account run), so the rule does not apply.
  if (rule.accounts) return false;
  if (rule.buckets && !globMatch(rule.buckets, bucket.name)) return false;
  if (rule.regions && !globMatch(rule.regions, bucket.region)) return false;
  if (rule.tags) {
    // Own keys only: a selector `constructor: x` must not find Object.prototype.constructor.
    const tags = bucket.tags ?? {};
    for (const [k, v] of Object.entries(rule.tags))
      if (!Object.hasOwn(tags, k) || tags[k] !== v) return false;
  }
  return true;
}

/** Whether any rule selects by tags (then the scanner must read bucket tags). */
export function policyNeedsTags(policy: Policy): boolean {
  return policy.rules.some((r) => r.tags !== undefined);
}

/** The first matching rule with defaults filled in, or the defaults themselves (ruleId `defaults`). */
export function resolveRule(policy: Policy, bucket: BucketRef): ResolvedRule {
  const rule = policy.rules.find((r) => ruleMatches(r, bucket));
  const d = policy.defaults;
  if (!rule) return { ruleId: 'defaults', sse: d.sse, match: d.match, remediate: d.remediate };
  return {
    ruleId: rule.id,
    sse: rule.sse ?? d.sse,
    match: rule.match ?? d.match,
    remediate: rule.remediate ?? d.remediate,
    ...(rule.exempt ? { exempt: rule.exempt } : {}),
  };
}

/** End of the exemption: a bare date means the whole of that day (UTC). */
export function exemptionEnd(until: string): number {
  return /^\d{4}-\d{2}-\d{2}$/.test(until) ? Date.parse(`${until}T23:59:59.999Z`) : Date.parse(until);
}

/** CIS Alibaba Cloud Foundations Benchmark v2.0: 5.8 (SSE enabled) always, 5.9 (BYOK/CMK) when a CMK is required. */
export function cisControls(req: Requirement): string[] {
  return requiredLevel(req) === 'kms-cmk' ? ['5.8', '5.9'] : ['5.8'];
}

export interface EvaluateOptions {
  now: Date;
  resolveKey?: KeyResolver;
  /**
   * What DescribeKey said (in the bucket's region) about the keys of the observed configuration and of
   * the rule. Without it, only the configuration text is judged.
   */
  keys?: KeyView;
}

/** Why the CMK a bucket's default names cannot be used there (missing, not Enabled, another region). */
export function brokenKeyReason(
  observed: SseConfig | null,
  region: string,
  keys: KeyView | undefined,
): string | undefined {
  const ref = observed?.algorithm === 'KMS' ? observed.kmsKeyId : undefined;
  const look = ref && keys ? keys(ref) : undefined;
  if (!ref || !look) return undefined;
  if (!look.found) return look.reason;
  return keyProblem(ref, look.facts, region);
}

type VerdictBase = Pick<
  Verdict,
  'bucket' | 'ruleId' | 'observed' | 'required' | 'requirement' | 'remediate' | 'cis'
>;

/**
 * A verdict built as one literal. `{ ...common, status, reason }` is avoided on purpose: once the spread
 * site has seen a few shapes, V8 gives every object it makes a hidden class of its own (about 300 bytes
 * each, 30 MB at 100,000 buckets, and megamorphic reads wherever verdicts are used).
 */
function verdictOf(
  base: VerdictBase,
  status: VerdictStatus,
  reason: string,
  extra: { remediate?: boolean; refused?: string; target?: SseConfig } = {},
): Verdict {
  const v: Verdict = {
    bucket: base.bucket,
    ruleId: base.ruleId,
    status,
    observed: base.observed,
    required: base.required,
    requirement: base.requirement,
    reason,
    remediate: extra.remediate ?? base.remediate,
    cis: base.cis,
  };
  if (extra.target) v.target = extra.target;
  if (extra.refused) v.refused = extra.refused;
  return v;
}

/** Evaluates one bucket. */
export function evaluate(
  policy: Policy,
  bucket: BucketRef,
  observed: SseConfig | null,
  opts: EvaluateOptions,
): Verdict {
  const rule = resolveRule(policy, bucket);
  const requirement = describeRequirement(rule.sse, rule.match);
  const common: VerdictBase = {
    bucket,
    ruleId: rule.ruleId,
    observed,
    required: remediationTarget(rule.sse, rule.match, null),
    requirement,
    remediate: rule.remediate,
    cis: cisControls(rule.sse),
  };
  let expiredNote = '';
  if (rule.exempt) {
    const end = rule.exempt.until ? exemptionEnd(rule.exempt.until) : Number.POSITIVE_INFINITY;
    if (opts.now.getTime() <= end) {
      const until = rule.exempt.until ? ` (until ${rule.exempt.until})` : '';
      return verdictOf(common, 'exempt', `exempt: ${rule.exempt.reason}${until}`, { remediate: false });
    }
    // An expired exemption stops applying; the rule's requirement (or the defaults') applies instead.
    expiredNote = `exemption expired on ${rule.exempt.until}; `;
  }
  const broken = brokenKeyReason(observed, bucket.region, opts.keys);
  if (broken !== undefined) return brokenKeyVerdict(rule, common, observed, `${expiredNote}${broken}`, opts);
  const unmet = unmetReason(rule.sse, rule.match, observed, opts.resolveKey, opts.keys);
  if (unmet === undefined) {
    return verdictOf(common, 'compliant', `${expiredNote}meets ${requirement}`);
  }
  const reason = `${expiredNote}${unmet}`;
  if (!rule.remediate) return verdictOf(common, 'noncompliant', reason);
  return plannedVerdict(rule, common, judgedConfig(observed, opts.keys), reason, opts);
}

/** How a bucket's verdict words a refusal of the judgement core (shared/policy/judge.ts). */
const REFUSED: Record<Refusal, string> = {
  weaker: 'remediation would make the bucket weaker',
  unmeetable: 'no configuration meets the requirement',
};

/** A non-compliant verdict with the target remediation would apply over `current`, or why it is refused. */
function plannedVerdict(
  rule: ResolvedRule,
  base: VerdictBase,
  current: SseConfig | null,
  reason: string,
  opts: EvaluateOptions,
): Verdict {
  const plan = planRemediation(rule.sse, rule.match, current, opts.resolveKey, opts.keys);
  if (plan.refused) return verdictOf(base, 'noncompliant', reason, { refused: REFUSED[plan.refused] });
  return verdictOf(base, 'noncompliant', reason, { target: plan.target });
}

/**
 * A bucket whose default names a CMK it cannot use is neither protected nor usable: non-compliant at
 * every level, counted against CIS 5.8 and 5.9. Remediation never picks another key on its own: only a
 * rule that names the key to use may switch to it (then the pre-flight and "never weaker" apply).
 */
function brokenKeyVerdict(
  rule: ResolvedRule,
  common: VerdictBase,
  observed: SseConfig | null,
  reason: string,
  opts: EvaluateOptions,
): Verdict {
  const base: VerdictBase = { ...common, cis: ['5.8', '5.9'] };
  if (!rule.remediate) return verdictOf(base, 'noncompliant', reason);
  const named = rule.sse.kmsKeyId;
  const current = observed?.kmsKeyId ?? '';
  if (!named || sameKey(named, current, opts.resolveKey)) {
    const refused = named
      ? `the rule's KMS key "${named}" is the key that cannot be used`
      : 'not switched to another KMS key: no rule names the key to use';
    return verdictOf(base, 'noncompliant', reason, { refused });
  }
  return plannedVerdict(rule, base, observed, reason, opts);
}
