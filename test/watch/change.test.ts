/**
 * From EventBridge payloads to bucket changes, pure: the documented samples are read as the documents
 * describe them, and every malformed or foreign event is ignored with a reason that says why.
 */
import { describe, expect, it } from 'vitest';
import { type BucketChange, toBucketChange } from '../../shared/watch/change.js';
import { type IgnoredEvent, parseEnvelope } from '../../shared/watch/envelope.js';
import { apiCall, bucketCreated, DOC, envelope, payload } from '../fixtures/eventbridge/builders.js';

const ACCOUNT = '1234567890123456';
type Json = Record<string, unknown>;

/** Parses a payload and turns each event into a change or an ignored event, as the watch does. */
function changesOf(body: Buffer | string, accountId = ACCOUNT) {
  const parsed = parseEnvelope(body);
  const out: Array<BucketChange | IgnoredEvent> = [...parsed.ignored];
  for (const { index, event } of parsed.events) out.push(toBucketChange(event, index, { accountId }));
  return out;
}

const deleted = (extra: Json = {}, data: Json = {}) => {
  const e = apiCall({ operation: 'DeleteBucketEncryption', bucket: 'prod-logs', accountId: ACCOUNT });
  return { ...e, data: { ...(e.data as Json), ...data }, ...extra };
};
const text = (e: unknown) => JSON.stringify(e);

describe('bucket changes from EventBridge events', () => {
  it('reads a DeleteBucketEncryption API call: bucket, region, caller and time', () => {
    // Prepare
    const at = new Date('2026-01-13T06:45:43.000Z');
    const event = apiCall({
      operation: 'DeleteBucketEncryption',
      bucket: 'prod-logs',
      accountId: ACCOUNT,
      time: at,
    });

    // Act
    const [change] = changesOf(payload(event));

    // Assess
    expect(change).toMatchObject({
      kind: 'encryption-deleted',
      operation: 'DeleteBucketEncryption',
      bucket: 'prod-logs',
      region: 'cn-hangzhou',
      eventTime: '2026-01-13T06:45:43.000Z',
      eventTimeMs: at.getTime(),
      actor: { type: 'ram-user', userName: 'Alice', accessKeyId: 'f6IzzFZMmzNwEI4d' },
    });
  });

  it('reads a bucket creation from the OSS record, and every event of a batch', () => {
    // Prepare
    const created = bucketCreated({ bucket: 'new-bucket', region: 'cn-shanghai', accountId: ACCOUNT });
    const put = apiCall({ operation: 'PutBucketEncryption', bucket: 'other', accountId: ACCOUNT });

    // Act
    const changes = changesOf(payload(created, put));

    // Assess
    expect(changes).toMatchObject([
      {
        index: 0,
        kind: 'bucket-created',
        operation: 'PutBucket',
        bucket: 'new-bucket',
        region: 'cn-shanghai',
      },
      { index: 1, kind: 'encryption-put', bucket: 'other' },
    ]);
  });

  it('finds the bucket in the ActionTrail record where referencedResources is absent', () => {
    // Prepare: the documented OSS record's eventSource host names the bucket too.
    const data = { ...DOC.actionTrailOssPutBucket, eventName: 'DeleteBucketEncryption' } as Json;
    delete data.referencedResources;
    const event = envelope({ type: 'oss:ActionTrail:ApiCall', accountId: ACCOUNT, data });

    // Act
    const [change] = changesOf(payload(event));

    // Assess
    expect(change).toMatchObject({
      bucket: 'test-123',
      region: 'cn-hangzhou',
      actor: { type: 'root-account' },
    });
  });

  it('keeps a change whose time is unreadable, without a time', () => {
    // Prepare
    const event = deleted({ time: 'yesterday' }, { eventTime: 'not a time' });

    // Act
    const [change] = changesOf(payload(event));

    // Assess
    expect(change).toMatchObject({ bucket: 'prod-logs', eventTime: 'not a time' });
    expect(change).not.toHaveProperty('eventTimeMs');
  });
});

/** Events the watch must ignore, the kind it counts them under, and words its reason must contain. */
const IGNORED: Array<[string, () => Buffer | string, IgnoredEvent['kind'], string]> = [
  ['an empty body', () => '', 'malformed', 'event is empty'],
  ['text that is not JSON', () => 'hello', 'malformed', 'event is not JSON'],
  ['JSON null', () => 'null', 'malformed', 'must be a CloudEvents JSON object or a list'],
  ['an empty list', () => '[]', 'malformed', 'event is an empty list'],
  ['an OSS trigger event', () => text({ events: [{}] }), 'malformed', 'OSS trigger event'],
  [
    'a timer event',
    () => text({ triggerTime: '2018-02-09T05:49:00Z', triggerName: 't' }),
    'malformed',
    'id is missing',
  ],
  ['a list holding null', () => '[null]', 'malformed', 'event[0]: must be an object, got null'],
  ['a numeric id', () => text(deleted({ id: 7 })), 'malformed', 'id must be a string, got a number'],
  ['no type', () => text(deleted({ type: undefined })), 'malformed', 'type is missing'],
  ['an empty source', () => text(deleted({ source: ' ' })), 'malformed', 'source is empty'],
  [
    'specversion 0.3',
    () => text(deleted({ specversion: '0.3' })),
    'malformed',
    'specversion "0.3" is not 1.0',
  ],
  ['no data', () => text(deleted({ data: undefined })), 'malformed', 'data is missing'],
  ['data as text', () => text(deleted({ data: '{}' })), 'malformed', 'data must be an object, got a string'],
  ['a numeric subject', () => text(deleted({ subject: 1 })), 'malformed', 'subject must be a string'],
  [
    'no aliyunaccountid',
    () => text(deleted({ aliyunaccountid: undefined })),
    'malformed',
    'aliyunaccountid is missing',
  ],
  [
    'no eventName',
    () => text(deleted({}, { eventName: undefined })),
    'malformed',
    'data.eventName must be a string',
  ],
  [
    'a bucket name with capitals',
    () => text(deleted({}, { referencedResources: { 'ACS::OSS::Bucket': ['Prod_Logs'] } })),
    'malformed',
    'data.referencedResources["ACS::OSS::Bucket"][0] "Prod_Logs" is not a valid bucket name',
  ],
  [
    'no bucket anywhere',
    () => text(deleted({ subject: undefined }, { referencedResources: {}, eventSource: 'oss.aliyuncs.com' })),
    'malformed',
    'names no bucket',
  ],
  [
    'a made-up region',
    () => text(deleted({}, { acsRegion: 'Hangzhou!' })),
    'malformed',
    'names no region id',
  ],
  [
    "the OSS documentation's masked bucket name",
    () =>
      text({
        ...DOC.ossObjectEvent,
        type: 'oss:BucketCreated:PutBucket',
        aliyunaccountid: ACCOUNT,
        aliyunoriginalaccountid: ACCOUNT,
        data: { ...(DOC.ossObjectEvent.data as Json), oss: { bucket: { name: '******' } } },
      }),
    'malformed',
    'data.oss.bucket.name "******" is not a valid bucket name',
  ],
  [
    'another service (the EventBridge overview sample)',
    () => text(DOC.overview),
    'foreign-service',
    'source "acs:aliyuncvc" is not acs.oss',
  ],
  [
    'an ActionTrail event of ECS',
    () =>
      text(
        envelope({
          type: 'actiontrail:ActionTrail:ApiCall',
          source: 'acs.actiontrail',
          accountId: ACCOUNT,
          data: DOC.actionTrailApiCall,
        }),
      ),
    'foreign-service',
    'source "acs.actiontrail" is not acs.oss',
  ],
  [
    'an ECS record under an OSS type',
    () =>
      text(envelope({ type: 'oss:ActionTrail:ApiCall', accountId: ACCOUNT, data: DOC.actionTrailApiCall })),
    'foreign-service',
    'data.serviceName "Ecs" is not Oss',
  ],
  [
    'another account',
    () => text(deleted({ aliyunaccountid: '9999999999999999' })),
    'foreign-account',
    'aliyunaccountid "9999999999999999" is not this account (1234567890123456)',
  ],
  [
    'another original account',
    () => text(deleted({ aliyunoriginalaccountid: '9999999999999999' })),
    'foreign-account',
    'aliyunoriginalaccountid',
  ],
  [
    'a bucket another account owns',
    () => {
      const e = bucketCreated({ bucket: 'theirs', accountId: ACCOUNT });
      const data = e.data as Json & { oss: { bucket: Json } };
      data.oss.bucket.ownerIdentity = '9999999999999999';
      return text(e);
    },
    'foreign-account',
    'data.oss.bucket.ownerIdentity "9999999999999999" is not this account',
  ],
  [
    'an eventName naming a prototype member',
    () => text(deleted({}, { eventName: 'toString' })),
    'not-handled',
    '"toString" is not PutBucketEncryption',
  ],
  [
    'another OSS call',
    () => text(deleted({}, { eventName: 'PutBucketLogging' })),
    'not-handled',
    '"PutBucketLogging" is not PutBucketEncryption or DeleteBucketEncryption',
  ],
  [
    'the documented PutBucket API call',
    () =>
      text(
        envelope({ type: 'oss:ActionTrail:ApiCall', accountId: ACCOUNT, data: DOC.actionTrailOssPutBucket }),
      ),
    'not-handled',
    '"PutBucket" is not PutBucketEncryption',
  ],
  [
    'an object upload',
    () => text({ ...DOC.ossObjectEvent, aliyunaccountid: ACCOUNT, aliyunoriginalaccountid: ACCOUNT }),
    'not-handled',
    'type is not oss:BucketCreated:PutBucket',
  ],
  [
    'a refused call',
    () => text(deleted({}, { errorCode: 'AccessDenied' })),
    'failed-call',
    'the DeleteBucketEncryption call failed (AccessDenied): nothing changed',
  ],
];

describe('events the watch ignores', () => {
  it.each(IGNORED)('ignores %s, saying why', (_name, body, kind, reason) => {
    // Act
    const out = changesOf(body());

    // Assess
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind });
    expect((out[0] as IgnoredEvent).reason).toContain(reason);
  });

  it('ignores the bad events of a batch and keeps the good ones', () => {
    // Prepare
    const good = apiCall({ operation: 'PutBucketEncryption', bucket: 'good-one', accountId: ACCOUNT });

    // Act
    const out = changesOf(payload(DOC.overview, good, deleted({ aliyunaccountid: '1' })));

    // Assess
    expect(out.map((o) => ('reason' in o ? o.kind : o.bucket))).toEqual([
      'foreign-service',
      'good-one',
      'foreign-account',
    ]);
  });
});
