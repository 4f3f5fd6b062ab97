/**
 * Parsing the OSS event as Function Compute delivers it: a Buffer of `{"events":[...]}` (Function Compute
 * "trigger event formats", OSS trigger), or the same records routed through EventBridge: one CloudEvents
 * event (`source: acs.oss`, the record in `data`), a list of them (event-streaming batches), or the bare
 * record (the `RawData` event schema). Pure and total: bad input never throws, it becomes a skipped
 * record with a reason that names the field, so one malformed record never hides the others.
 *
 * Keys arrive as OSS stores them, not URL-encoded: the documentation's sample carries `"source/a.png"` and
 * the Function Compute OSS-trigger samples pass `oss.object.key` straight to `client.get`. Nothing is
 * decoded here; the inspection tries the URL-decoded form only when the key as given is not found.
 */
import { eventText } from '../triggers.js';
import { eventBridgeRecords } from '../watch/envelope.js';
import { invalidObjectKey } from './scope.js';
import type { SkippedRecord } from './types.js';

/** Function Compute caps async event payloads far below this; anything larger is refused unparsed. */
export const MAX_EVENT_BYTES = 1024 * 1024;
/** OSS sends one record per event; a batch larger than this is not something OSS produced. */
export const MAX_RECORDS = 100;
/** OSS object keys are 1 to 1023 bytes of UTF-8. */
export const MAX_KEY_BYTES = 1023;

/** `ObjectCreated:<operation>` events that leave a complete object behind. */
export const CREATION_OPERATIONS = [
  'PutObject',
  'PostObject',
  'CopyObject',
  'CompleteMultipartUpload',
  'AppendObject',
  'PutSymlink',
] as const;
export type CreationOperation = (typeof CREATION_OPERATIONS)[number];

/** Steps of a multipart upload: the object does not exist yet; CompleteMultipartUpload will follow. */
const PARTIAL_OPERATIONS = new Set(['InitiateMultipartUpload', 'UploadPart', 'UploadPartCopy']);
/** Event families OSS sends that do not create objects. */
const OTHER_FAMILIES = new Set([
  'ObjectRemoved',
  'ObjectDownloaded',
  'ObjectModified',
  'ObjectReplication',
  'ObjectRestore',
]);

/** One usable record. */
export interface ObjectEvent {
  index: number;
  /** Normalised: `ObjectCreated:PutObject` (an `oss:` prefix, as EventBridge writes it, is dropped). */
  eventName: string;
  operation: CreationOperation;
  bucket: string;
  /** Exactly as the event carried it. */
  key: string;
  region: string;
  size?: number;
  /** The object's ETag when the event was sent (unquoted, as OSS writes it in events). */
  eTag?: string;
  requestId?: string;
  eventTime?: string;
  /**
   * Accounts the event names as the bucket's owner or its origin (`oss.bucket.ownerIdentity`, the account
   * in `oss.bucket.arn`, the EventBridge envelope's `aliyunaccountid` / `aliyunoriginalaccountid`). Masked
   * values (`1649...****`) are left out. The guard refuses a record naming an account other than its own.
   */
  accounts?: string[];
}

export interface ParsedEvent {
  /** Records in the event (0 when the event itself was unusable). */
  total: number;
  records: ObjectEvent[];
  skipped: SkippedRecord[];
}

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;
/** An Alibaba Cloud account id as events carry it unmasked: digits only. */
const ACCOUNT_ID = /^\d{1,32}$/;
const REGION = /^[a-z]{2}(-[a-z0-9]+)+$/;

type Fields = Record<string, unknown>;
const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Why the event name does not name an object creation, or the operation. */
function operationOf(raw: unknown): { operation: CreationOperation; eventName: string } | string {
  if (raw === undefined) return 'eventName is missing';
  if (typeof raw !== 'string') return `eventName must be a string, got ${kindOf(raw)}`;
  const name = raw.trim().replace(/^oss:/, '');
  if (name === '') return 'eventName is empty';
  const [family = '', operation = '', ...rest] = name.split(':');
  if (family === 'ObjectCreated' && rest.length === 0) {
    if ((CREATION_OPERATIONS as readonly string[]).includes(operation)) {
      return { operation: operation as CreationOperation, eventName: name };
    }
    if (PARTIAL_OPERATIONS.has(operation)) {
      return `eventName ${JSON.stringify(raw)} is a step of a multipart upload; the object is checked on CompleteMultipartUpload`;
    }
  }
  if (OTHER_FAMILIES.has(family)) return `eventName ${JSON.stringify(raw)} is not an object creation`;
  return `eventName ${JSON.stringify(raw.slice(0, 80))} is not a known OSS event; expected ObjectCreated:${CREATION_OPERATIONS.join('|')}`;
}

/** A string field, or the reason it is unusable. */
function text(v: unknown, path: string, optional = false): string | undefined | { error: string } {
  if (v === undefined && optional) return undefined;
  if (v === undefined) return { error: `${path} is missing` };
  if (typeof v !== 'string') return { error: `${path} must be a string, got ${kindOf(v)}` };
  return v;
}

/** Parses one record; returns the record or the reason it was skipped. */
export function parseRecord(raw: unknown, index: number): ObjectEvent | SkippedRecord {
  const skip = (reason: string, extra: Partial<SkippedRecord> = {}): SkippedRecord => ({
    kind: 'invalid',
    index,
    ...extra,
    reason: `events[${index}]: ${reason}`,
  });
  if (!isObject(raw)) return skip(`must be an object, got ${kindOf(raw)}`);
  const oss = raw.oss;
  const bucketField = isObject(oss) && isObject(oss.bucket) ? oss.bucket.name : undefined;
  const keyField = isObject(oss) && isObject(oss.object) ? oss.object.key : undefined;
  const where: Partial<SkippedRecord> = {
    ...(typeof bucketField === 'string' ? { bucket: bucketField } : {}),
    ...(typeof keyField === 'string' ? { key: keyField } : {}),
    ...(typeof raw.eventName === 'string' ? { eventName: raw.eventName } : {}),
  };
  if (raw.eventSource !== undefined && raw.eventSource !== 'acs:oss') {
    return skip(`eventSource ${JSON.stringify(raw.eventSource)} is not acs:oss`, where);
  }
  const op = operationOf(raw.eventName);
  if (typeof op === 'string') return skip(op, where);
  if (!isObject(oss)) return skip(oss === undefined ? 'oss is missing' : `oss must be an object`, where);
  if (!isObject(oss.bucket)) return skip('oss.bucket is missing or not an object', where);
  if (!isObject(oss.object)) return skip('oss.object is missing or not an object', where);
  const bucket = text(oss.bucket.name, 'oss.bucket.name');
  if (typeof bucket !== 'string') return skip(bucket?.error ?? 'oss.bucket.name is missing', where);
  if (!BUCKET_NAME.test(bucket)) {
    return skip(`oss.bucket.name ${JSON.stringify(bucket.slice(0, 80))} is not a valid bucket name`, where);
  }
  const key = text(oss.object.key, 'oss.object.key');
  if (typeof key !== 'string') return skip(key?.error ?? 'oss.object.key is missing', where);
  if (key === '') return skip('oss.object.key is empty', where);
  const badKey = invalidObjectKey(key);
  if (badKey !== undefined) return skip(`oss.object.key ${badKey}`, where);
  const region = text(raw.region, 'region');
  if (typeof region !== 'string') return skip(region?.error ?? 'region is missing', where);
  if (!REGION.test(region)) {
    return skip(
      `region ${JSON.stringify(region.slice(0, 40))} is not a region id such as cn-hangzhou`,
      where,
    );
  }
  const size = oss.object.size;
  if (size !== undefined && (typeof size !== 'number' || !Number.isSafeInteger(size) || size < 0)) {
    return skip(`oss.object.size must be a whole number >= 0, got ${JSON.stringify(size)}`, where);
  }
  const eTag = text(oss.object.eTag, 'oss.object.eTag', true);
  if (isObject(eTag)) return skip(eTag.error, where);
  const response = raw.responseElements;
  if (response !== undefined && !isObject(response)) return skip('responseElements must be an object', where);
  const requestId = text(response?.requestId, 'responseElements.requestId', true);
  if (isObject(requestId)) return skip(requestId.error, where);
  const eventTime = typeof raw.eventTime === 'string' ? raw.eventTime : undefined;
  const arnAccount =
    typeof oss.bucket.arn === 'string' ? /^acs:oss:[^:]*:([^:]*):/.exec(oss.bucket.arn)?.[1] : undefined;
  const accounts = [oss.bucket.ownerIdentity, arnAccount].filter(
    (a): a is string => typeof a === 'string' && ACCOUNT_ID.test(a),
  );
  return {
    index,
    eventName: op.eventName,
    operation: op.operation,
    bucket,
    key,
    region,
    ...(size !== undefined ? { size } : {}),
    ...(eTag ? { eTag: eTag.replace(/^"|"$/g, '') } : {}),
    ...(requestId ? { requestId } : {}),
    ...(eventTime ? { eventTime } : {}),
    ...(accounts.length > 0 ? { accounts: [...new Set(accounts)] } : {}),
  };
}

/** Parses a Function Compute OSS event. Never throws. */
export function parseOssEvent(event: Buffer | string | unknown): ParsedEvent {
  const reject = (reason: string): ParsedEvent => ({
    total: 0,
    records: [],
    skipped: [{ kind: 'invalid', reason }],
  });
  const body = eventText(event);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_EVENT_BYTES) return reject(`event is ${bytes} bytes; the limit is ${MAX_EVENT_BYTES}`);
  if (body.trim() === '') return reject('event is empty; expected {"events":[...]}');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    return reject(`event is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  const bridged = eventBridgeRecords(data);
  if (bridged) {
    const total = bridged.records.length + bridged.skipped.length;
    if (total > MAX_RECORDS) return reject(`event has ${total} records; at most ${MAX_RECORDS} are accepted`);
    const skipped = bridged.skipped.map((s): SkippedRecord => ({ kind: 'invalid', ...s }));
    return parseRecords(bridged.records, total, skipped, bridged.accounts);
  }
  if (!isObject(data)) return reject(`event must be a JSON object {"events":[...]}, got ${kindOf(data)}`);
  if (data.events === undefined) return reject('event has no "events" list; not an OSS trigger event');
  if (!Array.isArray(data.events)) return reject(`event "events" must be a list, got ${kindOf(data.events)}`);
  if (data.events.length === 0) return reject('event "events" is empty');
  if (data.events.length > MAX_RECORDS) {
    return reject(`event has ${data.events.length} records; at most ${MAX_RECORDS} are accepted`);
  }
  return parseRecords(
    data.events.map((record, index) => ({ index, record })),
    data.events.length,
  );
}

function parseRecords(
  list: ReadonlyArray<{ index: number; record: unknown }>,
  total: number,
  skipped: SkippedRecord[] = [],
  envelopeAccounts: ReadonlyMap<number, string[]> = new Map(),
): ParsedEvent {
  const records: ObjectEvent[] = [];
  for (const { index, record } of list) {
    const parsed = parseRecord(record, index);
    if (!('operation' in parsed)) {
      skipped.push(parsed);
      continue;
    }
    const fromEnvelope = (envelopeAccounts.get(index) ?? []).filter((a) => ACCOUNT_ID.test(a));
    const accounts = [...new Set([...(parsed.accounts ?? []), ...fromEnvelope])];
    records.push({ ...parsed, ...(accounts.length > 0 ? { accounts } : {}) });
  }
  return { total, records, skipped };
}
