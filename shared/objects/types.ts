/**
 * The upload guard's vocabulary: what it concludes about one object (the verdict), what it did about it
 * (the action), and the summary of one invocation. Verdicts describe the object as found; actions say what
 * the guard changed, so an object found `unencrypted` and then encrypted in place has verdict
 * `unencrypted` and action `encrypted`.
 */
import type { SseConfig } from '../model.js';

/**
 * - `encrypted`: the object meets the policy's object requirement.
 * - `unencrypted`: the object has no server-side encryption.
 * - `wrong-key`: the object is encrypted, but not as required (another CMK, a weaker algorithm, no SM4).
 * - `missing`: the object is gone (deleted, or replaced under another key) before it could be read.
 * - `error`: the object could not be read (access denied, throttled after retries...): never a pass.
 */
export type ObjectVerdict = 'encrypted' | 'unencrypted' | 'wrong-key' | 'missing' | 'error';

export const OBJECT_VERDICTS: readonly ObjectVerdict[] = [
  'encrypted',
  'unencrypted',
  'wrong-key',
  'missing',
  'error',
];

/** `none`: nothing to do (compliant, missing, error); `blocked`: the KMS pre-flight refused the CMK. */
export type ObjectActionKind = 'none' | 'alerted' | 'encrypted' | 'skipped' | 'blocked';

export const OBJECT_ACTIONS: readonly ObjectActionKind[] = [
  'none',
  'alerted',
  'encrypted',
  'skipped',
  'blocked',
];

export interface ObjectAction {
  kind: ObjectActionKind;
  /** Why (skipped, blocked), or what was done (encrypted). */
  reason?: string;
  /** Encrypted: the configuration the copy asked for, with the CMK as the pre-flight resolved it. */
  to?: SseConfig;
  /** Encrypted: whether the copy went through multipart (UploadPartCopy) rather than CopyObject. */
  multipart?: boolean;
  /** Encrypted: the object's ETag after the copy. */
  etag?: string;
}

/** The guard's outcome for one event record that was in scope. */
export interface ObjectFinding {
  bucket: string;
  /** The key the object was found under (the event's key, or its URL-decoded form). */
  key: string;
  /** The key exactly as the event carried it, when it differs from `key`. */
  eventKey?: string;
  region: string;
  size?: number;
  eventName: string;
  /** `responseElements.requestId` of the request that created the object. */
  eventRequestId?: string;
  verdict: ObjectVerdict;
  observed: SseConfig | null;
  /** The requirement in words: `at least sse-oss`, `KMS, key alias/prod`. */
  requirement: string;
  reason: string;
  action: ObjectAction;
  /** When the guard checked it (the injected clock). */
  checkedAt?: string;
  /** Set when the bucket keeps versions: older versions are not touched by an in-place copy. */
  versioning?: string;
  /** DescribeKey facts of the object's KMS key, where they were read (see `Finding.keyState`). */
  keyState?: string;
  keyOrigin?: string;
  keyProtection?: string;
  error?: { code: string; message: string; status?: number; requestId?: string; retryable: boolean };
}

/** An event record that was not inspected: malformed, not an object creation, or out of scope. */
export interface SkippedRecord {
  /** `invalid`: malformed or not an object creation; `out-of-scope`: the policy leaves it alone. */
  kind: 'invalid' | 'out-of-scope';
  /** Position in `events[]`; absent when the whole event was rejected. */
  index?: number;
  bucket?: string;
  key?: string;
  eventName?: string;
  reason: string;
}

/** What one invocation did. */
export interface GuardSummary {
  /** Event records seen (0 when the event itself was unusable). */
  records: number;
  byVerdict: Record<ObjectVerdict, number>;
  actions: Record<ObjectActionKind, number>;
  skipped: SkippedRecord[];
  /** A cloud error worth retrying happened: the function should fail so Function Compute retries it. */
  retryableFailure: boolean;
  findings: ObjectFinding[];
}

/** An empty summary (counts at zero). */
export function emptySummary(): GuardSummary {
  return {
    records: 0,
    byVerdict: Object.fromEntries(OBJECT_VERDICTS.map((v) => [v, 0])) as Record<ObjectVerdict, number>,
    actions: Object.fromEntries(OBJECT_ACTIONS.map((a) => [a, 0])) as Record<ObjectActionKind, number>,
    skipped: [],
    retryableFailure: false,
    findings: [],
  };
}
