/**
 * In-place encryption of one object: the safety gates, the KMS pre-flight, the conditional copy and the
 * read-back. Gates, in order: a version the guard wrote itself is never copied again; symlinks and
 * appendable objects are left alone; the copy never makes an object weaker; a CMK must pass the same
 * pre-flight as in the audit (exists, Enabled, in the bucket's region); the copy happens only while the
 * object still has the event's ETag, so a newer upload is never overwritten.
 */

import { checkKey } from '../audit/preflight.js';
import {
  type CopyOutcome,
  type ObjectHead,
  type ObjectLocation,
  type OssObjects,
  sameEtag,
} from '../cloud/oss-objects.js';
import { CloudError, RemediationError } from '../errors.js';
import type { SseConfig } from '../model.js';
import { refusalOf } from '../policy/judge.js';
import { describeConfig, remediationTarget, unmetReason } from '../policy/levels.js';
import type { ObjectsPolicy } from '../policy/schema.js';
import type { KeyInspector } from '../ports.js';
import type { OwnWrites } from './own-writes.js';
import type { ObjectAction } from './types.js';

/** How large objects are copied (the defaults suit production; tests lower them). */
export interface CopySettings {
  /** Objects of at least this many bytes go through multipart copy (default 1 GB, OSS's CopyObject limit). */
  multipartThreshold?: number;
  /** Part size of the multipart copy (default 64 MB). */
  partSize?: number;
  /** Parts copied at once (default 4). */
  parallel?: number;
}

export interface EncryptRequest {
  objects: OssObjects;
  kms: KeyInspector;
  ownWrites: OwnWrites;
  copy: CopySettings;
  policy: ObjectsPolicy;
  loc: ObjectLocation;
  key: string;
  head: ObjectHead;
  /** The ETag the event reported; the copy is conditional on it. */
  eventETag?: string;
}

const skipped = (reason: string): ObjectAction => ({ kind: 'skipped', reason });

/** Why the object must not be copied, before any cloud call; `undefined` when it may be. */
function gate(r: EncryptRequest, target: SseConfig): string | undefined {
  const { head } = r;
  const refused = refusalOf(r.policy.sse, r.policy.match, head.sse, target);
  if (
    r.ownWrites.wrote({ bucket: r.loc.bucket, key: r.key, etag: head.etag, lastModified: head.lastModified })
  ) {
    return 'this version was written by the guard’s own copy; it is not copied again (did the requirement change?)';
  }
  if (head.objectType === 'Symlink') return 'a symlink: encrypt the object it points to instead';
  if (head.objectType === 'Appendable') {
    return 'an appendable object: an in-place copy would turn it into a Normal object and stop further appends';
  }
  if (refused === 'weaker') {
    return `copying with ${describeConfig(target)} would make it weaker than ${describeConfig(head.sse)}`;
  }
  if (refused === 'unmeetable') return 'no configuration meets the requirement';
  if (r.eventETag && !sameEtag(r.eventETag, head.etag)) {
    return `replaced since the event (ETag ${head.etag}, the event had "${r.eventETag}"); the newer upload has its own event`;
  }
  return undefined;
}

/**
 * Encrypts one object in place as the policy requires. Returns the action taken (`encrypted`, `skipped`
 * with the reason, `blocked` by the KMS pre-flight). Throws a `CloudError` when a cloud call fails, and
 * a `RemediationError` when the object read back after the copy is still not encrypted as required.
 */
export async function encryptInPlace(r: EncryptRequest): Promise<ObjectAction> {
  let target = remediationTarget(r.policy.sse, r.policy.match, r.head.sse);
  const refusal = gate(r, target);
  if (refusal) return skipped(refusal);
  const ref = target.kmsKeyId;
  let resolvedId: string | undefined;
  if (ref) {
    const check = await checkKey(r.kms, ref, r.loc.region, r.policy.sse);
    if (!check.ok) return { kind: 'blocked', reason: check.reason };
    // OSS stores the CMK id it is given; apply the id the pre-flight resolved from an alias or ARN.
    resolvedId = check.keyId;
    target = { ...target, kmsKeyId: check.keyId };
  }
  let outcome: CopyOutcome;
  try {
    outcome = await r.objects.copyInPlace(r.loc, r.key, {
      target,
      ifMatch: r.eventETag ?? r.head.etag,
      head: r.head,
      ...r.copy,
    });
  } catch (err) {
    if (err instanceof CloudError && (err.status === 412 || err.code === 'PreconditionFailed')) {
      return skipped(
        'replaced between the check and the copy (copy-source-if-match failed); not overwriting the newer upload',
      );
    }
    throw err;
  }
  const after = await r.objects.head(r.loc, r.key);
  if (after && (!outcome.etag || sameEtag(after.etag, outcome.etag))) {
    const resolve = (k: string) => (ref && k === ref ? resolvedId : undefined);
    const unmet = unmetReason(r.policy.sse, r.policy.match, after.sse, resolve);
    if (unmet !== undefined) {
      throw new RemediationError(
        `Object "${r.key}" in bucket "${r.loc.bucket}" (${r.loc.region}): after the copy it ${unmet}`,
      );
    }
    r.ownWrites.remember({
      bucket: r.loc.bucket,
      key: r.key,
      etag: after.etag,
      lastModified: after.lastModified,
    });
  }
  const how = outcome.multipart ? `multipart copy in ${outcome.parts} parts` : 'CopyObject';
  return {
    kind: 'encrypted',
    reason: `copied in place with ${describeConfig(target)} (${how})`,
    to: target,
    multipart: outcome.multipart,
    ...(after?.etag ? { etag: after.etag } : outcome.etag ? { etag: outcome.etag } : {}),
  };
}
