/**
 * Object inspection: find the object (the event's key, then its URL-decoded forms), read its real SSE
 * with HeadObject, look at the key behind it when the requirement depends on it (DescribeKey through
 * the key inspector: OSS answers a key id also for the OSS-managed service key, which is level `kms`,
 * not `kms-cmk`), and judge it with the same `unmetReason` the bucket audit uses. `classify` is pure;
 * `findObject` and `inspectObjectKey` do the I/O.
 */
import { checkKey, lookupOf } from '../audit/preflight.js';
import type { ObjectHead, ObjectLocation, OssObjects } from '../cloud/oss-objects.js';
import type { FindingError, SseConfig } from '../model.js';
import { asksKeyStrength, type KeyView, reportedKeyFacts } from '../policy/keys.js';
import { describeConfig, type KeyResolver, requiredLevel, unmetReason } from '../policy/levels.js';
import type { Requirement } from '../policy/schema.js';
import type { KeyInspector } from '../ports.js';
import { candidateKeys } from './scope.js';
import type { ObjectVerdict } from './types.js';

export interface Classification {
  verdict: Extract<ObjectVerdict, 'encrypted' | 'unencrypted' | 'wrong-key'>;
  reason: string;
}

/**
 * The verdict on an object's SSE: `encrypted` when it meets the requirement, `unencrypted` when it has
 * none, `wrong-key` when it is encrypted but not as required (another CMK, or weaker than required).
 */
export function classify(
  req: Requirement,
  match: 'at-least' | 'exact',
  observed: SseConfig | null,
  requirement: string,
  resolve?: KeyResolver,
  keys?: KeyView,
): Classification {
  if (!observed) {
    return { verdict: 'unencrypted', reason: `has no server-side encryption; expected ${requirement}` };
  }
  const unmet = unmetReason(req, match, observed, resolve, keys);
  if (unmet === undefined) {
    return { verdict: 'encrypted', reason: `meets ${requirement} (${describeConfig(observed)})` };
  }
  return { verdict: 'wrong-key', reason: unmet };
}

export type Lookup = { found: true; key: string; head: ObjectHead } | { found: false; tried: string[] };

/**
 * HeadObject under the event's key, then under its URL-decoded forms. Throws the `CloudError` of a
 * failed read (access denied, throttled after retries): that is an `error`, never `missing`.
 */
export async function findObject(
  objects: OssObjects,
  loc: ObjectLocation,
  eventKey: string,
): Promise<Lookup> {
  const tried: string[] = [];
  for (const key of candidateKeys(eventKey)) {
    tried.push(key);
    const head = await objects.head(loc, key);
    if (head) return { found: true, key, head };
  }
  return { found: false, tried };
}

/** Objects name their CMK by id; an alias in the policy is resolved (DescribeKey) so the two compare. */
export async function keyResolver(
  kms: KeyInspector,
  req: Requirement,
  region: string,
): Promise<KeyResolver | undefined> {
  const ref = req.kmsKeyId;
  if (!ref || !/(^|:)alias\//.test(ref)) return undefined;
  try {
    const key = await kms.describeKey(ref, region);
    return (r) => (r === ref ? key.keyId : undefined);
  } catch {
    // Unresolvable: the comparison falls back to the text of the reference, and encryption is blocked.
    return undefined;
  }
}

/** Whether the verdict on an object depends on what its key is (service key or CMK, and how strong). */
export function keyMatters(req: Requirement, match: 'at-least' | 'exact'): boolean {
  const level = requiredLevel(req);
  return level === 'kms-cmk' || (match === 'exact' && level === 'kms') || asksKeyStrength(req);
}

/** What DescribeKey said about an object's key: a view for the verdict and the facts for the finding. */
export type ObjectKeyInspection =
  | {
      ok: true;
      keys?: KeyView;
      facts: { keyState?: string; keyOrigin?: string; keyProtection?: string };
    }
  | { ok: false; reason: string; error: FindingError; retryable: boolean };

/**
 * Describes the key an object names (in the bucket's region) when the requirement depends on it. A
 * DescribeKey that fails (throttled, AccessDenied...) is `ok: false`: the object's verdict is `error`.
 */
export async function inspectObjectKey(
  kms: KeyInspector,
  req: Requirement,
  match: 'at-least' | 'exact',
  sse: SseConfig | null,
  region: string,
): Promise<ObjectKeyInspection> {
  const ref = sse?.algorithm === 'KMS' ? sse.kmsKeyId : undefined;
  if (!ref || !keyMatters(req, match)) return { ok: true, facts: {} };
  const check = await checkKey(kms, ref, region);
  if (!check.ok && check.failed) {
    return { ok: false, reason: check.reason, error: check.failed, retryable: check.retryable === true };
  }
  const look = lookupOf(check);
  return { ok: true, keys: (r) => (r === ref ? look : undefined), facts: reportedKeyFacts(look) };
}
