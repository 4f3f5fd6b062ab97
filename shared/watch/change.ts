/**
 * From an EventBridge event to the bucket change it reports, or the reason it is ignored. Pure.
 *
 * Two event types are acted on (EventBridge "OSS events"):
 * - `oss:BucketCreated:PutBucket`: `data` is OSS's notification record (`region`, `eventTime`,
 *   `oss.bucket.name`, `oss.bucket.ownerIdentity`, `userIdentity.principalId`), as for object events.
 * - `oss:ActionTrail:ApiCall` (and `...:ConsoleOperation`): `data` is the ActionTrail management event
 *   (ActionTrail "Management event structure": `eventName`, `eventTime`, `acsRegion`, `serviceName`,
 *   `userIdentity {type, accountId, principalId, accessKeyId, userName}`, `referencedResources`,
 *   `requestParameters`, `errorCode`...). Only PutBucketEncryption and DeleteBucketEncryption matter here.
 *
 * The bucket is read from the most specific place that has it: for ActionTrail `referencedResources`
 * (`ACS::OSS::Bucket`, as in ActionTrail's OSS samples), then `requestParameters`, `resourceName`, the
 * `eventSource` host (`<bucket>.oss-<region>...`), and last the envelope's `subject`.
 */
import { type CloudEvent, type IgnoredEvent, isObject, kindOf } from './envelope.js';

/** What happened to the bucket. */
export type ChangeKind = 'bucket-created' | 'encryption-put' | 'encryption-deleted';

/** Who made the change, as the event says (ActionTrail `userIdentity`; OSS records carry only `principalId`). */
export interface Actor {
  type?: string;
  accountId?: string;
  principalId?: string;
  userName?: string;
  /** The access key that signed the call: an STS key (`STS.`...) for a role such as this function's. */
  accessKeyId?: string;
}

/** One bucket change to audit. */
export interface BucketChange {
  index: number;
  eventId: string;
  /** The envelope's `type`. */
  type: string;
  kind: ChangeKind;
  /** The API call that made the change: PutBucket, PutBucketEncryption or DeleteBucketEncryption. */
  operation: string;
  bucket: string;
  region: string;
  /** The change's time as the event wrote it. */
  eventTime?: string;
  /** The same, parsed (epoch ms); absent when the event carried no usable time. */
  eventTimeMs?: number;
  actor?: Actor;
  /** The request id of the call that made the change. */
  requestId?: string;
}

/** The OSS event types the watch acts on (EventBridge "OSS events"). */
export const BUCKET_CREATED = 'oss:BucketCreated:PutBucket';
export const ACTIONTRAIL_TYPES = ['oss:ActionTrail:ApiCall', 'oss:ActionTrail:ConsoleOperation'] as const;
// A Map, not an object literal: an eventName such as "toString" must not find a prototype member.
const ENCRYPTION_CALLS = new Map<string, ChangeKind>([
  ['PutBucketEncryption', 'encryption-put'],
  ['DeleteBucketEncryption', 'encryption-deleted'],
]);

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
const REGION = /^[a-z]{2}(-[a-z0-9]+)+$/;
const SUBJECT = /^acs:oss:([a-z0-9-]*):([^:]*):([^/]+)(?:\/.*)?$/;
const SOURCE_HOST = /^([a-z0-9][a-z0-9-]{1,61}[a-z0-9])\.oss-/;

const str = (v: unknown): string | undefined =>
  typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;

function subjectParts(subject: string | undefined): { region?: string; bucket?: string } {
  const m = subject ? SUBJECT.exec(subject) : null;
  return m ? { region: str(m[1]), bucket: str(m[3]) } : {};
}

/** Where an ActionTrail record names the bucket, most specific first; `from` names the field for messages. */
function actionTrailBucket(data: Record<string, unknown>, subject: string | undefined) {
  const refs = isObject(data.referencedResources) ? data.referencedResources['ACS::OSS::Bucket'] : undefined;
  const params = isObject(data.requestParameters) ? data.requestParameters : {};
  const candidates: Array<[string, unknown]> = [
    ['data.referencedResources["ACS::OSS::Bucket"][0]', Array.isArray(refs) ? refs[0] : undefined],
    ['data.requestParameters.BucketName', params.BucketName ?? params.bucketName],
    ['data.resourceName', data.resourceName],
    ['data.eventSource', SOURCE_HOST.exec(str(data.eventSource) ?? '')?.[1]],
    ['subject', subjectParts(subject).bucket],
  ];
  for (const [from, value] of candidates) {
    if (str(value)) return { from, value: str(value) as string };
  }
  return undefined;
}

function actorOf(identity: unknown): Actor | undefined {
  if (!isObject(identity)) return undefined;
  const actor: Actor = {};
  for (const k of ['type', 'accountId', 'principalId', 'userName', 'accessKeyId'] as const) {
    const v = str(identity[k]);
    if (v) actor[k] = v;
  }
  return Object.keys(actor).length > 0 ? actor : undefined;
}

function parseTime(...values: unknown[]): { eventTime?: string; eventTimeMs?: number } {
  const text = values.map(str).find((v) => v !== undefined);
  if (!text) return {};
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? { eventTime: text } : { eventTime: text, eventTimeMs: ms };
}

/**
 * The bucket change an event reports, or why it is ignored: another service, another account, an OSS
 * event this function does not act on, a failed call (nothing changed), or a malformed field.
 */
export function toBucketChange(
  ev: CloudEvent,
  index: number,
  ctx: { accountId: string },
): BucketChange | IgnoredEvent {
  const where = { index, id: ev.id, type: ev.type, source: ev.source };
  const ignore = (kind: IgnoredEvent['kind'], reason: string, bucket?: string): IgnoredEvent => ({
    kind,
    ...where,
    ...(bucket ? { bucket } : {}),
    reason: `event[${index}] (${ev.type}): ${reason}`,
  });
  if (ev.source !== 'acs.oss') {
    return ignore('foreign-service', `source ${JSON.stringify(ev.source.slice(0, 60))} is not acs.oss`);
  }
  if (!ev.aliyunaccountid)
    return ignore('malformed', 'aliyunaccountid is missing; cannot tell whose event it is');
  for (const field of ['aliyunaccountid', 'aliyunoriginalaccountid'] as const) {
    const account = ev[field];
    if (account !== undefined && account !== ctx.accountId) {
      return ignore(
        'foreign-account',
        `${field} ${JSON.stringify(account)} is not this account (${ctx.accountId})`,
      );
    }
  }
  const { data } = ev;
  let change: Omit<BucketChange, 'bucket' | 'region'>;
  let bucket: { from: string; value: string } | undefined;
  let region: unknown;
  if (ev.type === BUCKET_CREATED) {
    const b = isObject(data.oss) && isObject(data.oss.bucket) ? data.oss.bucket : {};
    const owner = str(b.ownerIdentity);
    if (owner && owner !== ctx.accountId) {
      return ignore(
        'foreign-account',
        `data.oss.bucket.ownerIdentity ${JSON.stringify(owner)} is not this account`,
      );
    }
    bucket = str(b.name)
      ? { from: 'data.oss.bucket.name', value: str(b.name) as string }
      : subjectParts(ev.subject).bucket
        ? { from: 'subject', value: subjectParts(ev.subject).bucket as string }
        : undefined;
    region = data.region ?? ev.aliyunregionid ?? subjectParts(ev.subject).region;
    const actor = actorOf(data.userIdentity);
    const requestId = isObject(data.responseElements) ? str(data.responseElements.requestId) : undefined;
    change = {
      index,
      eventId: ev.id,
      type: ev.type,
      kind: 'bucket-created',
      operation: 'PutBucket',
      ...parseTime(data.eventTime, ev.time),
      ...(actor ? { actor } : {}),
      ...(requestId ? { requestId } : {}),
    };
  } else if ((ACTIONTRAIL_TYPES as readonly string[]).includes(ev.type)) {
    const service = str(data.serviceName);
    if (service && service.toLowerCase() !== 'oss') {
      return ignore('foreign-service', `data.serviceName ${JSON.stringify(service.slice(0, 40))} is not Oss`);
    }
    const name = data.eventName;
    if (typeof name !== 'string')
      return ignore('malformed', `data.eventName must be a string, got ${kindOf(name)}`);
    const kind = ENCRYPTION_CALLS.get(name);
    bucket = actionTrailBucket(data, ev.subject);
    if (!kind) {
      return ignore(
        'not-handled',
        `data.eventName ${JSON.stringify(name.slice(0, 60))} is not PutBucketEncryption or DeleteBucketEncryption`,
        bucket?.value,
      );
    }
    const errorCode = str(data.errorCode);
    if (errorCode) {
      return ignore(
        'failed-call',
        `the ${name} call failed (${errorCode.slice(0, 60)}): nothing changed`,
        bucket?.value,
      );
    }
    region = data.acsRegion ?? ev.aliyunregionid ?? subjectParts(ev.subject).region;
    const actor = actorOf(data.userIdentity);
    const requestId = str(data.requestId);
    change = {
      index,
      eventId: ev.id,
      type: ev.type,
      kind,
      operation: name,
      ...parseTime(data.eventTime, ev.time),
      ...(actor ? { actor } : {}),
      ...(requestId ? { requestId } : {}),
    };
  } else {
    return ignore('not-handled', `type is not ${BUCKET_CREATED} or ${ACTIONTRAIL_TYPES.join(' / ')}`);
  }
  if (!bucket) return ignore('malformed', 'names no bucket (data, subject)');
  if (!BUCKET_NAME.test(bucket.value)) {
    return ignore(
      'malformed',
      `${bucket.from} ${JSON.stringify(bucket.value.slice(0, 80))} is not a valid bucket name`,
    );
  }
  if (typeof region !== 'string' || !REGION.test(region)) {
    return ignore(
      'malformed',
      `names no region id such as cn-hangzhou (got ${JSON.stringify(region)?.slice(0, 40) ?? 'nothing'})`,
      bucket.value,
    );
  }
  return { ...change, bucket: bucket.value, region };
}
