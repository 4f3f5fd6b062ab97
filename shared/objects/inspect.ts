/**
 * Object inspection: find the object (the event's key, then its URL-decoded forms), read its real SSE
 * with HeadObject, and judge it against the policy's object requirement with the same `unmetReason` the
 * bucket audit uses. `classify` is pure; `findObject` does the I/O.
 */

import type { ObjectHead, ObjectLocation, OssObjects } from '../cloud/oss-objects.js';
import type { SseConfig } from '../model.js';
import { describeConfig, type KeyResolver, unmetReason } from '../policy/levels.js';
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
): Classification {
  if (!observed) {
    return { verdict: 'unencrypted', reason: `has no server-side encryption; expected ${requirement}` };
  }
  const unmet = unmetReason(req, match, observed, resolve);
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
