/**
 * Remediation planning, pure: verdicts + KMS key checks + limits -> one decision per verdict, in order.
 * The gates of DESIGN.md section 3: exempt and report-only buckets are untouched, refusals (weaker) stay
 * refusals, a target whose CMK failed the pre-flight is blocked, and at most `maxRemediationsPerRun`
 * buckets are changed (or would be, in a dry run); the rest are reported.
 */
import type { FindingError, SseConfig } from '../model.js';
import type { Verdict } from '../policy/evaluate.js';
import type { KeyInfo } from './deps.js';

/**
 * The outcome of the KMS pre-flight for one key reference in one region. `info`: what DescribeKey said
 * (absent when the key was not found or could not be described); `missing`: not found in the region;
 * `failed`: DescribeKey itself failed (throttled, AccessDenied...), so nothing is known about the key.
 */
export type KeyCheck =
  | { ok: true; keyId: string; arn?: string; info?: KeyInfo }
  | {
      ok: false;
      reason: string;
      info?: KeyInfo;
      missing?: boolean;
      failed?: FindingError;
      /** With `failed`: another attempt may succeed (throttled, network, 5xx after the gateway's retries). */
      retryable?: boolean;
    };

export type Decision =
  | { kind: 'none' }
  | { kind: 'apply'; target: SseConfig }
  | { kind: 'would-apply'; target: SseConfig }
  | { kind: 'blocked'; reason: string }
  | { kind: 'capped'; reason: string }
  | { kind: 'refused'; reason: string };

export function keyCheckId(region: string, keyRef: string): string {
  return `${region}|${keyRef}`;
}

/** The key references (per region) that the pre-flight must check before `plan` runs. */
export function keysToCheck(verdicts: readonly Verdict[]): Array<{ region: string; keyRef: string }> {
  const seen = new Map<string, { region: string; keyRef: string }>();
  for (const v of verdicts) {
    const ref = v.target?.kmsKeyId;
    if (ref) seen.set(keyCheckId(v.bucket.region, ref), { region: v.bucket.region, keyRef: ref });
  }
  return [...seen.values()];
}

function resolvedKeyId(checks: ReadonlyMap<string, KeyCheck>, region: string, ref: string): string {
  const check = checks.get(keyCheckId(region, ref));
  return check?.ok ? check.keyId : ref;
}

export interface PlanOptions {
  dryRun: boolean;
  maxRemediationsPerRun: number;
  keyChecks: ReadonlyMap<string, KeyCheck>;
}

export function plan(verdicts: readonly Verdict[], opts: PlanOptions): Decision[] {
  let budget = opts.maxRemediationsPerRun;
  return verdicts.map((v): Decision => {
    if (v.status !== 'noncompliant' || !v.remediate) return { kind: 'none' };
    if (v.refused) return { kind: 'refused', reason: v.refused };
    if (!v.target) return { kind: 'none' };
    const ref = v.target.kmsKeyId;
    if (ref) {
      const check = opts.keyChecks.get(keyCheckId(v.bucket.region, ref));
      if (!check)
        return {
          kind: 'blocked',
          reason: `KMS key "${ref}" was not checked; refusing to apply it unchecked`,
        };
      if (!check.ok) return { kind: 'blocked', reason: check.reason };
    }
    // Apply the key id the pre-flight resolved (an alias or ARN in the policy becomes the CMK id OSS stores).
    const target: SseConfig = ref
      ? { ...v.target, kmsKeyId: resolvedKeyId(opts.keyChecks, v.bucket.region, ref) }
      : v.target;
    if (budget <= 0) {
      return {
        kind: 'capped',
        reason: `not remediated: maxRemediationsPerRun (${opts.maxRemediationsPerRun}) reached in this run`,
      };
    }
    budget -= 1;
    return opts.dryRun ? { kind: 'would-apply', target } : { kind: 'apply', target };
  });
}
