/**
 * Is a RAM action granted? Asked with a harmless call per action: reads of things that exist or of a key
 * that does not (an authorized caller gets 404, an unauthorized one 403), and for PutBucketEncryption an
 * invalid rule that OSS refuses after authorizing it (shared/cloud/oss-probes.ts). Never a change. Writes
 * with no such call (PutObject, FC invoke, KMS data keys) are reported as not verifiable, with their grant.
 */

import type { KeyInspector } from '../audit/deps.js';
import type { BucketLocation, OssGateway } from '../cloud/oss.js';
import { ObjectLister } from '../cloud/oss-listing.js';
import { objectGateway } from '../cloud/oss-objects.js';
import { probePutBucketEncryption } from '../cloud/oss-probes.js';
import { CloudError, describeError } from '../errors.js';

export type ProbeResult =
  | { kind: 'granted'; on: string }
  | { kind: 'denied'; on: string; requestId?: string }
  | { kind: 'unverified'; why: string }
  | { kind: 'failed'; why: string };

export interface ProbeDeps {
  oss: OssGateway;
  kms: KeyInspector;
  /** The buckets ListBuckets returned (for picking one a resource pattern covers). */
  buckets: BucketLocation[];
  homeRegion: string;
}

/** Codes OSS and KMS answer when RAM denies the call. */
const DENIED = new Set(['AccessDenied', 'Forbidden.NoPermission', 'Forbidden.RAM', 'NoPermission']);
/** Codes that mean the caller was allowed to ask (the thing asked about is just not there). */
const ABSENT = new Set(['Forbidden.KeyNotFound', 'Forbidden.AliasNotFound', 'NoSuchKey', 'NoSuchTagSet']);
const PROBE_KEY = 'oss-sse-guard-doctor/probe-object-that-does-not-exist';
const PROBE_ALIAS = 'alias/oss-sse-guard-doctor-probe';

function ramRegex(pattern: string): RegExp {
  return new RegExp(
    `^${pattern
      .replace(/[.+^${}()|[\]\\]/g, '\\$&')
      .replace(/\*/g, '.*')
      .replace(/\?/g, '.')}$`,
  );
}

/** `acs:oss:*:*:prod-*` / `acs:oss:*:*:audit/reports/*` -> bucket pattern and key pattern. */
function ossResource(arn: string): { bucket: string; key?: string } | undefined {
  const m = /^acs:oss:[^:]*:[^:]*:([^/]+)(?:\/(.*))?$/.exec(arn);
  return m ? { bucket: m[1] as string, ...(m[2] !== undefined ? { key: m[2] } : {}) } : undefined;
}

/** A listed bucket one of the resources covers, with the key to ask about. */
function target(deps: ProbeDeps, resources: string[]): { bucket: BucketLocation; key?: string } | undefined {
  for (const r of resources) {
    const res = ossResource(r);
    if (!res) continue;
    const re = ramRegex(res.bucket);
    const bucket = deps.buckets.find((b) => re.test(b.name));
    if (bucket) {
      const key =
        res.key === undefined
          ? undefined
          : res.key.includes('*')
            ? res.key.replace(/\*.*$/, '') + PROBE_KEY
            : res.key;
      return { bucket, ...(key !== undefined ? { key } : {}) };
    }
  }
  return undefined;
}

function fromError(err: unknown, on: string): ProbeResult {
  if (err instanceof CloudError && DENIED.has(err.code))
    return { kind: 'denied', on, ...(err.requestId ? { requestId: err.requestId } : {}) };
  if (err instanceof CloudError && ABSENT.has(err.code)) return { kind: 'granted', on };
  return { kind: 'failed', why: describeError(err) };
}

const ONCE = { maxAttempts: 2, baseMs: 50, capMs: 200 };

/** Probes `action` on one of `resources`. */
export async function probeAction(
  deps: ProbeDeps,
  action: string,
  resources: string[],
): Promise<ProbeResult> {
  if (action === 'oss:ListBuckets') {
    return deps.oss.listBucketsPage({ maxKeys: 1 }).then(
      () => ({ kind: 'granted' as const, on: 'the account' }),
      (err) => fromError(err, 'the account'),
    );
  }
  if (action.startsWith('oss:')) {
    const t = target(deps, resources);
    if (!t) return { kind: 'unverified', why: `no bucket matching ${resources.join(', ')} to ask about yet` };
    const on = t.key === undefined ? `bucket ${t.bucket.name}` : `oss://${t.bucket.name}/${t.key}`;
    try {
      switch (action) {
        case 'oss:GetBucketEncryption':
          await deps.oss.getBucketEncryption(t.bucket, ONCE);
          return { kind: 'granted', on };
        case 'oss:GetBucketTagging':
          await deps.oss.getBucketTags(t.bucket, ONCE);
          return { kind: 'granted', on };
        case 'oss:PutBucketEncryption': {
          const r = await probePutBucketEncryption(deps.oss, t.bucket);
          return r.granted
            ? { kind: 'granted', on }
            : { kind: 'denied', on, ...(r.requestId ? { requestId: r.requestId } : {}) };
        }
        case 'oss:GetObject':
          await objectGateway(deps.oss)
            .objects(ONCE)
            .head({ bucket: t.bucket.name, region: t.bucket.region }, t.key ?? PROBE_KEY);
          return { kind: 'granted', on };
        case 'oss:ListObjects':
          await new ObjectLister(deps.oss, ONCE).page(
            { bucket: t.bucket.name, region: t.bucket.region },
            { maxKeys: 1 },
          );
          return { kind: 'granted', on };
        case 'oss:GetBucketLocation':
          await deps.oss.bucketRegion(t.bucket.name);
          return { kind: 'granted', on };
        default:
          return { kind: 'unverified', why: 'no call can tell without a change' };
      }
    } catch (err) {
      return fromError(err, on);
    }
  }
  if (action === 'kms:DescribeKey') {
    try {
      await deps.kms.describeKey(PROBE_ALIAS, deps.homeRegion);
      return { kind: 'granted', on: `KMS in ${deps.homeRegion}` };
    } catch (err) {
      return fromError(err, `KMS in ${deps.homeRegion}`);
    }
  }
  return { kind: 'unverified', why: 'no call can tell without a change' };
}
