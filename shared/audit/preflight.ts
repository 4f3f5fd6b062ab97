/**
 * KMS pre-flight and key look-ups: before a CMK is set as a bucket default (or used for an in-place
 * copy) the key must exist, be Enabled, live in the bucket's region (DESIGN.md section 3) and, when the
 * requirement asks, be as strong as required (HSM, imported material). Aliases and ARNs resolve through
 * DescribeKey. The same look-ups tell every verdict what the key behind a configuration is.
 */

import { CloudError, describeError } from '../errors.js';
import type { SseConfig } from '../model.js';
import {
  type KeyLookup,
  type KeyView,
  keyProblem,
  keyStrengthUnmet,
  notFoundReason,
} from '../policy/keys.js';
import type { Requirement } from '../policy/schema.js';
import type { KeyCallOptions, KeyInfo, KeyInspector } from './deps.js';
import { findingError } from './finding-error.js';
import { memoKms } from './key-inspector.js';
import type { KeyCheck } from './plan.js';
import { keyCheckId } from './plan.js';

export { findingError } from './finding-error.js';
export { memoKms } from './key-inspector.js';

/**
 * Checks one key reference for use by buckets of `region` (and, with `want`, for the strength it asks).
 * Never throws: a key that is missing, unusable or too weak is `ok: false` with the reason (and its facts
 * when it was found); a DescribeKey that failed (throttled, AccessDenied...) is `ok: false` with `failed`.
 */
export async function checkKey(
  kms: KeyInspector,
  ref: string,
  region: string,
  want?: Requirement,
  call?: KeyCallOptions,
): Promise<KeyCheck> {
  let key: KeyInfo;
  try {
    key = await kms.describeKey(ref, region, call);
  } catch (err) {
    if (err instanceof CloudError && /NotFound/i.test(err.code)) {
      return { ok: false, reason: notFoundReason(ref, region), missing: true };
    }
    return {
      ok: false,
      reason: `KMS key "${ref}" could not be checked in region ${region}: ${describeError(err)}`,
      failed: findingError(err),
      retryable: err instanceof CloudError ? err.retryable : false,
    };
  }
  const problem = keyProblem(ref, key, region) ?? (want ? keyStrengthUnmet(want, ref, key) : undefined);
  if (problem) return { ok: false, reason: problem, info: key };
  return { ok: true, keyId: key.keyId, arn: key.arn, info: key };
}

/** Checks every (region, key) pair once; the inspector bounds the calls in flight. */
export async function checkKeys(
  kms: KeyInspector,
  pairs: ReadonlyArray<{ region: string; keyRef: string }>,
  call?: KeyCallOptions,
): Promise<Map<string, KeyCheck>> {
  const inspector = memoKms(kms);
  const checks = await Promise.all(
    pairs.map((p) => checkKey(inspector, p.keyRef, p.region, undefined, call)),
  );
  return new Map(pairs.map((p, i) => [keyCheckId(p.region, p.keyRef), checks[i] as KeyCheck]));
}

/** A key check as a verdict reads it: found with its facts, not found (with the reason), or unknown. */
export function lookupOf(check: KeyCheck | undefined): KeyLookup | undefined {
  if (!check) return undefined;
  if (check.info) return { found: true, facts: check.info };
  if (!check.ok && check.missing) return { found: false, reason: check.reason };
  return undefined;
}

/** The key view of one region over a run's key checks. */
export function keyViewOf(checks: ReadonlyMap<string, KeyCheck>, region: string): KeyView {
  return (ref) => lookupOf(checks.get(keyCheckId(region, ref)));
}

/** The check of the key a configuration names, if it names one. */
export function observedKeyCheck(
  checks: ReadonlyMap<string, KeyCheck>,
  region: string,
  observed: SseConfig | null,
): KeyCheck | undefined {
  const ref = observed?.algorithm === 'KMS' ? observed.kmsKeyId : undefined;
  return ref ? checks.get(keyCheckId(region, ref)) : undefined;
}
