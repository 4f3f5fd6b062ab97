/**
 * From what the OSS emulator answered to the trigger events Function Compute would deliver:
 * - OSS triggers: an object-creating operation (`PutObject`, `PostObject`, `CopyObject`,
 *   `CompleteMultipartUpload`, `AppendObject`) in the trigger's bucket and region whose event type
 *   matches the trigger's `events` (wildcards allowed, fc3 OSSTriggerConfig) and whose key has the
 *   filter's prefix and suffix becomes the documented OSS event (emulator/events/oss-trigger.ts).
 * - EventBridge: `PutBucket` becomes `oss:BucketCreated:PutBucket`; `PutBucketEncryption` and
 *   `DeleteBucketEncryption` become ActionTrail `oss:ActionTrail:ApiCall` events (ActionTrail records
 *   write calls), with the caller's identity (an assumed role for an STS key). Each goes to the
 *   EventBridge triggers of functions in the bucket's region whose event pattern matches it.
 */
import { apiCall, bucketCreated, roleIdentity } from '../events/eventbridge.js';
import { ossTriggerEvent, ossTriggerRecord } from '../events/oss-trigger.js';
import type { OssCall, OssState } from '../oss/index.js';
import { matchesPattern } from './event-pattern.js';
import type { FunctionSpec, TriggerSpec } from './s-yaml.js';

const OBJECT_CREATED = new Set([
  'PutObject',
  'PostObject',
  'CopyObject',
  'CompleteMultipartUpload',
  'AppendObject',
]);
const API_CALLS = new Set(['PutBucketEncryption', 'DeleteBucketEncryption']);

/** Whether an OSS event type (`oss:ObjectCreated:PutObject`) is among a trigger's `events`. */
export function eventMatches(patterns: readonly string[], eventType: string): boolean {
  return patterns.some((p) =>
    new RegExp(
      `^${p
        .split('*')
        .map((s) => s.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
        .join('.*')}$`,
    ).test(eventType),
  );
}

export interface WiringContext {
  state: OssState;
  accountId: string;
  now: () => Date;
  functions: readonly FunctionSpec[];
  deliver: (t: TriggerSpec, f: FunctionSpec, event: Buffer, what: string) => string;
}

/** The OSS emulator observer that fires the triggers. */
export function triggerWiring(ctx: WiringContext): (call: OssCall) => void {
  const { state, accountId, now, deliver } = ctx;
  const shape = { functions: ctx.functions };
  return (call: OssCall) => {
    const bucket = call.bucket ? state.getBucket(call.bucket) : undefined;
    if (!bucket || !call.bucket) return;
    const region = bucket.region;
    const principalId = accountId;
    const time = now();
    if (OBJECT_CREATED.has(call.op) && call.key !== undefined) {
      const obj = state.getObject(call.bucket, call.key);
      if (!obj) return;
      const type = `oss:ObjectCreated:${call.op}`;
      for (const f of shape.functions) {
        for (const t of f.triggers) {
          if (t.type !== 'oss' || t.bucket !== call.bucket || t.region !== region) continue;
          if (t.accountId && t.accountId !== accountId) continue;
          if (!eventMatches(t.events, type) || !call.key.startsWith(t.prefix) || !call.key.endsWith(t.suffix))
            continue;
          const record = ossTriggerRecord({
            eventName: `ObjectCreated:${call.op}`,
            bucket: call.bucket,
            region,
            accountId,
            key: call.key,
            size: obj.body.length,
            eTag: obj.etag,
            mimeType: obj.contentType,
            userMeta: Object.fromEntries(Object.entries(obj.meta).map(([k, v]) => [`x-oss-meta-${k}`, v])),
            requestId: call.requestId,
            sourceIp: call.sourceIp,
            principalId,
            ruleId: t.name,
            time,
          });
          deliver(t, f, ossTriggerEvent(record), type);
        }
      }
    }
    let cloudEvent: Record<string, unknown> | undefined;
    if (call.op === 'PutBucket') cloudEvent = bucketCreated({ bucket: call.bucket, accountId, region, time });
    if (API_CALLS.has(call.op)) {
      const identity = call.accessKeyId.startsWith('STS.')
        ? roleIdentity(call.accessKeyId, accountId)
        : {
            ...(
              apiCall({ operation: call.op, bucket: call.bucket, accountId }).data as {
                userIdentity: Record<string, unknown>;
              }
            ).userIdentity,
            accessKeyId: call.accessKeyId,
          };
      cloudEvent = apiCall({ operation: call.op, bucket: call.bucket, accountId, region, time, identity });
    }
    if (!cloudEvent) return;
    for (const f of shape.functions) {
      if (f.region !== region) continue; // EventBridge delivers a service's events in their own region
      for (const t of f.triggers) {
        if (t.type !== 'eventbridge' || !t.enabled || !matchesPattern(t.pattern, cloudEvent)) continue;
        deliver(t, f, Buffer.from(JSON.stringify(cloudEvent)), String(cloudEvent.type));
      }
    }
  };
}
