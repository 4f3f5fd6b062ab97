/**
 * The OSS trigger event Function Compute delivers to a function: `{"events":[record]}`, each record in the
 * shape of Function Compute's documented sample ("Formats of event for different triggers", OSS triggers;
 * samples/fc-oss-event.json, verbatim): `eventName` without the `oss:` prefix, `eventSource` `acs:oss`,
 * `oss.bucket {arn,name,ownerIdentity}`, `oss.object {deltaSize,eTag,key,objectMeta,size}`,
 * `responseElements.requestId`, `userIdentity.principalId`.
 *
 * Inferred (emulator/README.md, "Sandbox"): the key is given URL-encoded with `/` kept as is (the sample's
 * `source/a.png` is consistent with both readings; OSS event notifications encode keys), and the ETag
 * without quotes, upper case, as in the sample.
 */

export interface ObjectCreatedRecordInput {
  /** `ObjectCreated:PutObject`, `ObjectCreated:CopyObject`, ... */
  eventName: string;
  bucket: string;
  region: string;
  accountId: string;
  key: string;
  size: number;
  eTag: string;
  mimeType?: string;
  userMeta?: Record<string, string>;
  requestId: string;
  sourceIp: string;
  /** The caller's principal (the account id for the account's own key). */
  principalId: string;
  /** The trigger's rule id. */
  ruleId: string;
  time: Date;
}

/** The object key as events carry it (URL-encoded, `/` kept). */
export function eventKey(key: string): string {
  return encodeURIComponent(key).replace(/%2F/g, '/');
}

/** One record of an OSS trigger event. */
export function ossTriggerRecord(r: ObjectCreatedRecordInput): Record<string, unknown> {
  return {
    eventName: r.eventName,
    eventSource: 'acs:oss',
    eventTime: r.time.toISOString(),
    eventVersion: '1.0',
    oss: {
      bucket: {
        arn: `acs:oss:${r.region}:${r.accountId}:${r.bucket}`,
        name: r.bucket,
        ownerIdentity: r.accountId,
      },
      object: {
        deltaSize: r.size,
        eTag: r.eTag.replace(/"/g, '').toUpperCase(),
        key: eventKey(r.key),
        ...(r.mimeType || r.userMeta
          ? { objectMeta: { ...(r.mimeType ? { mimeType: r.mimeType } : {}), userMeta: r.userMeta ?? {} } }
          : {}),
        size: r.size,
      },
      ossSchemaVersion: '1.0',
      ruleId: r.ruleId,
    },
    region: r.region,
    requestParameters: { sourceIPAddress: r.sourceIp },
    responseElements: { requestId: r.requestId },
    userIdentity: { principalId: r.principalId },
  };
}

/** The event Function Compute passes to the handler for one record (a Buffer, as the runtime gives it). */
export function ossTriggerEvent(record: Record<string, unknown>): Buffer {
  return Buffer.from(JSON.stringify({ events: [record] }));
}
