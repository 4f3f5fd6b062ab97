/**
 * KMS pre-flight: before a CMK is set as a bucket default, the key must exist, be Enabled, and live in
 * the bucket's region (DESIGN.md section 3). Aliases and ARNs resolve through DescribeKey.
 */
import { CloudError, describeError } from '../errors.js';
import type { KeyCallOptions, KeyInfo, KeyInspector } from './deps.js';
import type { KeyCheck } from './plan.js';
import { keyCheckId } from './plan.js';

/** Checks one key reference for use by buckets of `region`. Never throws. */
export async function checkKey(
  kms: KeyInspector,
  ref: string,
  region: string,
  call?: KeyCallOptions,
): Promise<KeyCheck> {
  try {
    const key = await kms.describeKey(ref, region, call);
    if (key.region !== region) {
      return {
        ok: false,
        reason: `KMS key "${ref}" is in region ${key.region}; expected the bucket's region ${region}`,
      };
    }
    if (key.state !== 'Enabled') {
      return { ok: false, reason: `KMS key "${ref}" (${key.keyId}) is ${key.state}; expected Enabled` };
    }
    return { ok: true, keyId: key.keyId, arn: key.arn };
  } catch (err) {
    if (err instanceof CloudError && /NotFound/i.test(err.code)) {
      return { ok: false, reason: `KMS key "${ref}" was not found in region ${region}` };
    }
    return {
      ok: false,
      reason: `KMS key "${ref}" could not be checked in region ${region}: ${describeError(err)}`,
    };
  }
}

/** Checks every (region, key) pair once, with bounded concurrency. */
export async function checkKeys(
  kms: KeyInspector,
  pairs: ReadonlyArray<{ region: string; keyRef: string }>,
  call?: KeyCallOptions,
): Promise<Map<string, KeyCheck>> {
  const out = new Map<string, KeyCheck>();
  const queue = [...pairs];
  const worker = async () => {
    for (let p = queue.shift(); p; p = queue.shift()) {
      out.set(keyCheckId(p.region, p.keyRef), await checkKey(kms, p.keyRef, p.region, call));
    }
  };
  await Promise.all(Array.from({ length: Math.min(8, queue.length) }, worker));
  return out;
}

/**
 * DescribeKey once per key and region for the life of the returned inspector, however many objects or
 * buckets name the key. A failure is not remembered, so the next caller asks again.
 */
export function memoKms(kms: KeyInspector): KeyInspector {
  const cache = new Map<string, Promise<KeyInfo>>();
  return {
    describeKey(ref, region, call) {
      const id = `${region}|${ref}`;
      let p = cache.get(id);
      if (!p) {
        p = kms.describeKey(ref, region, call);
        p.catch(() => cache.delete(id));
        cache.set(id, p);
      }
      return p;
    },
  };
}
