/**
 * The EventBridge envelope, parsed: Function Compute's EventBridge trigger hands the function one event in
 * the CloudEvents 1.0 format EventBridge documents ("Event overview": `id`, `source`, `specversion`,
 * `type`, `subject`, `time`, `data`, and the Alibaba Cloud extensions `aliyunaccountid`,
 * `aliyunoriginalaccountid`, `aliyunregionid`, `aliyuneventbusname`, `aliyunpublishtime`...), or, in the
 * event-streaming delivery mode with a batch window, a JSON list of them. Pure and total: bad input never
 * throws, it becomes an ignored event with a reason that names the field.
 */
import { eventText } from '../triggers.js';

/** Function Compute caps event payloads far below this; anything larger is refused unparsed. */
export const MAX_ENVELOPE_BYTES = 1024 * 1024;
/** A batch (event-streaming `batchWindow.CountBasedWindow`) larger than this is refused. */
export const MAX_BATCH = 100;

/** One CloudEvent as EventBridge delivers it; only the fields this project reads are typed. */
export interface CloudEvent {
  id: string;
  /** The producing service: `acs.oss` for OSS. */
  source: string;
  /** `oss:BucketCreated:PutBucket`, `oss:ActionTrail:ApiCall`, `oss:ObjectCreated:PutObject`... */
  type: string;
  specversion?: string;
  /** `acs:oss:<region>:<account>:<bucket>[/<key>]` for OSS. */
  subject?: string;
  /** When the event happened (ISO 8601; EventBridge samples carry `Z` and `+08:00` offsets). */
  time?: string;
  /** The account whose event bus received the event. */
  aliyunaccountid?: string;
  /** The account the event came from (differs from `aliyunaccountid` for cross-account delivery). */
  aliyunoriginalaccountid?: string;
  aliyunregionid?: string;
  aliyuneventbusname?: string;
  /** The producer's payload: for OSS object events the OSS notification record, for ActionTrail the record. */
  data: Record<string, unknown>;
}

/** Why an event was not acted on. Counted in the summary, logged once, never thrown. */
export type IgnoredKind = 'malformed' | 'foreign-service' | 'foreign-account' | 'not-handled' | 'failed-call';

/** An event not acted on, with where it was in the payload and why. */
export interface IgnoredEvent {
  kind: IgnoredKind;
  /** Position in the delivered batch; absent when the whole payload was rejected. */
  index?: number;
  id?: string;
  type?: string;
  source?: string;
  bucket?: string;
  reason: string;
}

/** A payload, parsed: the usable events by position, and the ignored ones. */
export interface ParsedEnvelope {
  /** Events in the payload (0 when the payload itself was unusable). */
  total: number;
  events: Array<{ index: number; event: CloudEvent }>;
  ignored: IgnoredEvent[];
}

type Fields = Record<string, unknown>;
/** A plain JSON object (not null, not a list). */
export const isObject = (v: unknown): v is Fields => typeof v === 'object' && v !== null && !Array.isArray(v);

/** What a JSON value is, for messages: `null`, `a list`, `an object`, `a string`... */
export function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'a list';
  return typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}

/** Whether a value carries the CloudEvents shape (as opposed to an OSS trigger's `{"events":[...]}`). */
export function looksLikeCloudEvent(v: unknown): v is Fields {
  if (!isObject(v)) return false;
  return typeof v.specversion === 'string' || (typeof v.type === 'string' && 'source' in v && 'data' in v);
}

const OPTIONAL_TEXT = [
  'specversion',
  'subject',
  'time',
  'aliyunaccountid',
  'aliyunoriginalaccountid',
  'aliyunregionid',
  'aliyuneventbusname',
] as const;

/** Validates one element of the payload; returns the event or why it was ignored. */
export function parseCloudEvent(raw: unknown, index: number): CloudEvent | IgnoredEvent {
  const at = `event[${index}]`;
  if (!isObject(raw))
    return { kind: 'malformed', index, reason: `${at}: must be an object, got ${kindOf(raw)}` };
  const where = {
    index,
    ...(typeof raw.id === 'string' ? { id: raw.id } : {}),
    ...(typeof raw.type === 'string' ? { type: raw.type } : {}),
    ...(typeof raw.source === 'string' ? { source: raw.source } : {}),
  };
  const malformed = (reason: string): IgnoredEvent => ({
    kind: 'malformed',
    ...where,
    reason: `${at}: ${reason}`,
  });
  for (const field of ['id', 'source', 'type'] as const) {
    const v = raw[field];
    if (v === undefined) return malformed(`${field} is missing; not a CloudEvents event`);
    if (typeof v !== 'string') return malformed(`${field} must be a string, got ${kindOf(v)}`);
    if (v.trim() === '') return malformed(`${field} is empty`);
  }
  for (const field of OPTIONAL_TEXT) {
    const v = raw[field];
    if (v !== undefined && typeof v !== 'string')
      return malformed(`${field} must be a string, got ${kindOf(v)}`);
  }
  if (raw.specversion !== undefined && raw.specversion !== '1.0') {
    return malformed(`specversion ${JSON.stringify(raw.specversion)} is not 1.0`);
  }
  if (raw.data === undefined) return malformed('data is missing');
  if (!isObject(raw.data)) return malformed(`data must be an object, got ${kindOf(raw.data)}`);
  return raw as unknown as CloudEvent;
}

/**
 * Parses what Function Compute passed to an EventBridge-triggered function: one CloudEvent, or a list of
 * them. Never throws.
 */
export function parseEnvelope(payload: Buffer | string | unknown): ParsedEnvelope {
  const reject = (reason: string): ParsedEnvelope => ({
    total: 0,
    events: [],
    ignored: [{ kind: 'malformed', reason }],
  });
  const body = eventText(payload);
  const bytes = Buffer.byteLength(body);
  if (bytes > MAX_ENVELOPE_BYTES)
    return reject(`event is ${bytes} bytes; the limit is ${MAX_ENVELOPE_BYTES}`);
  if (body.trim() === '') return reject('event is empty; expected an EventBridge CloudEvents event');
  let data: unknown;
  try {
    data = JSON.parse(body);
  } catch (err) {
    return reject(`event is not JSON (${(err as Error).message.split('\n')[0]})`);
  }
  if (isObject(data) && Array.isArray(data.events)) {
    return reject('event is an OSS trigger event ({"events":[...]}), not an EventBridge event');
  }
  const list = Array.isArray(data) ? data : [data];
  if (Array.isArray(data) && data.length === 0) return reject('event is an empty list');
  if (list.length > MAX_BATCH)
    return reject(`event has ${list.length} entries; at most ${MAX_BATCH} are accepted`);
  if (!Array.isArray(data) && !isObject(data)) {
    return reject(`event must be a CloudEvents JSON object or a list of them, got ${kindOf(data)}`);
  }
  const out: ParsedEnvelope = { total: list.length, events: [], ignored: [] };
  list.forEach((raw, index) => {
    const parsed = parseCloudEvent(raw, index);
    if ('kind' in parsed) out.ignored.push(parsed);
    else out.events.push({ index, event: parsed });
  });
  return out;
}

/** What an EventBridge payload holds for the upload guard: OSS notification records, and what was left out. */
export interface BridgedRecords {
  /** Each OSS object event's `data` (the record shape the OSS trigger puts in `events[]`), by position. */
  records: Array<{ index: number; record: unknown }>;
  skipped: Array<{ index: number; reason: string }>;
  /** The envelope's `aliyunaccountid` / `aliyunoriginalaccountid` by position, for the account check. */
  accounts: Map<number, string[]>;
}

/** Whether an envelope `type` announces an object creation (EventBridge "OSS events": `oss:ObjectCreated:<op>`). */
function isObjectCreatedType(type: string): boolean {
  return /^oss:ObjectCreated:[A-Za-z]+$/.test(type);
}

/**
 * The OSS notification records inside an EventBridge payload, or undefined when the payload is not
 * EventBridge-shaped (then it is left to the OSS trigger parser). Accepts one CloudEvent, a list of them
 * (event-streaming batches), and the bare record that the `RawData` event schema delivers.
 */
export function eventBridgeRecords(data: unknown): BridgedRecords | undefined {
  if (isObject(data) && data.events === undefined && typeof data.eventSource === 'string' && 'oss' in data) {
    return { records: [{ index: 0, record: data }], skipped: [], accounts: new Map() };
  }
  const list = Array.isArray(data) && data.length > 0 && data.every(looksLikeCloudEvent) ? data : undefined;
  const events = list ?? (looksLikeCloudEvent(data) ? [data] : undefined);
  if (!events) return undefined;
  const out: BridgedRecords = { records: [], skipped: [], accounts: new Map() };
  events.forEach((raw, index) => {
    const parsed = parseCloudEvent(raw, index);
    const eventName = parsed && 'data' in parsed ? parsed.data.eventName : undefined;
    if ('kind' in parsed) out.skipped.push({ index, reason: parsed.reason });
    else if (parsed.source !== 'acs.oss') {
      out.skipped.push({
        index,
        reason: `event[${index}]: source ${JSON.stringify(parsed.source.slice(0, 60))} is not acs.oss`,
      });
    } else if (!isObjectCreatedType(parsed.type)) {
      // The envelope's type is what EventBridge routed on: a creation record inside `oss:ObjectRemoved:...`
      // is not an upload, whatever `data` says.
      out.skipped.push({
        index,
        reason: `event[${index}]: type ${JSON.stringify(parsed.type.slice(0, 80))} is not an object creation (oss:ObjectCreated:...)`,
      });
    } else if (
      typeof eventName === 'string' &&
      eventName.replace(/^oss:/, '') !== parsed.type.replace(/^oss:/, '')
    ) {
      out.skipped.push({
        index,
        reason: `event[${index}]: type ${JSON.stringify(parsed.type.slice(0, 80))} and data.eventName ${JSON.stringify(eventName.slice(0, 80))} disagree`,
      });
    } else {
      out.records.push({ index, record: parsed.data });
      const accounts = [parsed.aliyunaccountid, parsed.aliyunoriginalaccountid].filter(
        (a): a is string => typeof a === 'string',
      );
      if (accounts.length > 0) out.accounts.set(index, accounts);
    }
  });
  return out;
}
