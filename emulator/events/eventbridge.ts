/**
 * EventBridge events shaped exactly like the documented samples in `samples/` (emulator/README.md,
 * "Events", says where each came from), with the bucket, region, account, identity and time of a real
 * change. The sandbox (emulator/sandbox/) sends them after the OSS emulator answered the change; the
 * bucket watch's tests build them directly (test/fixtures/eventbridge/builders.ts re-exports these).
 */
import { randomUUID } from 'node:crypto';
import actionTrailApiCall from './samples/actiontrail-api-call.json' with { type: 'json' };
import identities from './samples/actiontrail-identities.json' with { type: 'json' };
import actionTrailOssPutBucket from './samples/actiontrail-oss-put-bucket.json' with { type: 'json' };
import overview from './samples/event-overview.json' with { type: 'json' };
import ossObjectEvent from './samples/oss-object-event.json' with { type: 'json' };

type Json = Record<string, unknown>;

/** The documented samples, verbatim. */
export const DOC = {
  /** An OSS object event as EventBridge delivers it (DataWorks "Triggered workflows", example OSS message). */
  ossObjectEvent: ossObjectEvent as Json,
  /** EventBridge "Event overview": the CloudEvents envelope of another service's event. */
  overview: overview as Json,
  /** EventBridge "ActionTrail events": the `data` of an ActionTrail API call event (ECS DeleteDisk). */
  actionTrailApiCall: actionTrailApiCall as Json,
  /** ActionTrail "OSS": the management event of PutBucket by a root account. */
  actionTrailOssPutBucket: actionTrailOssPutBucket as Json,
  /** ActionTrail `userIdentity` samples: an assumed role (STS key) and a RAM user calling through an SDK. */
  identities: identities as { assumedRole: Json; ramUserSdk: Json },
};

export interface EnvelopeInput {
  type: string;
  data: Json;
  accountId: string;
  region?: string;
  subject?: string;
  source?: string;
  id?: string;
  time?: Date;
}

/** The CloudEvents envelope, with the fields and formats of the documented OSS event (`oss-object-event.json`). */
export function envelope(e: EnvelopeInput): Json {
  const time = (e.time ?? new Date()).toISOString();
  const region = e.region ?? 'cn-hangzhou';
  return {
    datacontenttype: 'application/json;charset=utf-8',
    aliyunaccountid: e.accountId,
    data: e.data,
    ...(e.subject ? { subject: e.subject } : {}),
    aliyunoriginalaccountid: e.accountId,
    source: e.source ?? 'acs.oss',
    type: e.type,
    aliyunpublishtime: time,
    specversion: '1.0',
    aliyuneventbusname: 'default',
    id: e.id ?? randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24),
    time,
    aliyunregionid: region,
  };
}

export interface BucketEventInput {
  bucket: string;
  accountId: string;
  region?: string;
  /** When the change happened (default now). */
  time?: Date;
  id?: string;
}

/**
 * `oss:BucketCreated:PutBucket`. No documented sample of this event's `data` was found: it is the OSS
 * notification record of the documented object event with `eventName` `BucketCreated:PutBucket` and no
 * `oss.object` (see README.md).
 */
export function bucketCreated(b: BucketEventInput): Json {
  const region = b.region ?? 'cn-hangzhou';
  const sample = DOC.ossObjectEvent.data as Json;
  const time = b.time ?? new Date();
  return envelope({
    type: 'oss:BucketCreated:PutBucket',
    accountId: b.accountId,
    region,
    time,
    ...(b.id ? { id: b.id } : {}),
    subject: `acs:oss:${region}:${b.accountId}:${b.bucket}`,
    data: {
      ...sample,
      eventTime: time.toISOString(),
      eventName: 'BucketCreated:PutBucket',
      userIdentity: { principalId: b.accountId },
      region,
      oss: {
        bucket: {
          name: b.bucket,
          arn: `acs:oss:${region}:${b.accountId}:${b.bucket}`,
          virtualBucket: '',
          ownerIdentity: b.accountId,
        },
        ossSchemaVersion: '1.0',
      },
    },
  });
}

export interface ApiCallInput extends BucketEventInput {
  operation: 'PutBucketEncryption' | 'DeleteBucketEncryption' | string;
  /** ActionTrail `userIdentity`; default the documented RAM user, in this account. */
  identity?: Json;
  errorCode?: string;
}

/** `oss:ActionTrail:ApiCall` for an OSS bucket call: the documented OSS management event, renamed. */
export function apiCall(c: ApiCallInput): Json {
  const region = c.region ?? 'cn-hangzhou';
  const time = c.time ?? new Date();
  const requestId = randomUUID().replace(/-/g, '').toUpperCase().slice(0, 24);
  return envelope({
    type: 'oss:ActionTrail:ApiCall',
    accountId: c.accountId,
    region,
    time,
    ...(c.id ? { id: c.id } : {}),
    subject: `acs:oss:${region}:${c.accountId}:${c.bucket}`,
    data: {
      ...DOC.actionTrailOssPutBucket,
      eventId: requestId,
      eventSource: `${c.bucket}.oss-${region}.aliyuncs.com`,
      eventRW: 'Write',
      referencedResources: { 'ACS::OSS::Bucket': [c.bucket] },
      userIdentity: c.identity ?? { ...DOC.identities.ramUserSdk, accountId: c.accountId },
      requestId,
      eventTime: time.toISOString(),
      acsRegion: region,
      eventName: c.operation,
      ...(c.errorCode ? { errorCode: c.errorCode, errorMessage: 'denied by the test' } : {}),
    },
  });
}

/** The identity of a role session signed with `accessKeyId` (the documented assumed-role identity). */
export function roleIdentity(accessKeyId: string, accountId: string): Json {
  return { ...DOC.identities.assumedRole, accessKeyId, accountId };
}

/** An OSS object event through EventBridge: the documented sample with a real bucket, key and ETag. */
export function objectCreated(o: {
  bucket: string;
  key: string;
  accountId: string;
  eTag?: string;
  size?: number;
  region?: string;
}): Json {
  const region = o.region ?? 'cn-hangzhou';
  const sample = DOC.ossObjectEvent.data as Json & { oss: Json & { object: Json } };
  return envelope({
    type: 'oss:ObjectCreated:PutObject',
    accountId: o.accountId,
    region,
    subject: `acs:oss:${region}:${o.accountId}:${o.bucket}/${o.key}`,
    data: {
      ...sample,
      eventName: 'ObjectCreated:PutObject',
      region,
      userIdentity: { principalId: o.accountId },
      oss: {
        ...sample.oss,
        bucket: {
          name: o.bucket,
          arn: `acs:oss:${region}:${o.accountId}:${o.bucket}`,
          virtualBucket: '',
          ownerIdentity: o.accountId,
        },
        object: {
          ...sample.oss.object,
          key: o.key,
          size: o.size ?? 0,
          deltaSize: o.size ?? 0,
          ...(o.eTag ? { eTag: o.eTag } : {}),
        },
      },
    },
  });
}

/** What Function Compute passes: one event as is, several as a list (event-streaming batch). */
export function payload(...events: Json[]): Buffer {
  return Buffer.from(JSON.stringify(events.length === 1 ? events[0] : events));
}
