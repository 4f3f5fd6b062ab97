/**
 * Delivering alerts: one POST per message and sink, retried with full-jitter backoff a bounded number of
 * times on network errors, timeouts, 408, 429 and 5xx. Never throws: every delivery ends in a
 * `DeliveryRecord` the report can keep, with no secret in it (URLs redacted, errors scrubbed).
 */
import { backoffDelay, defaultSleep } from '../cloud/retry.js';
import { SseGuardError } from '../errors.js';
import type { Logger } from '../log.js';
import type { DeliveryRecord } from '../model.js';
import type { AlertMessage } from './messages.js';
import { atLeast, type Severity } from './schema.js';

// The record type is report vocabulary, so it lives in model.ts (no cycle); re-exported for senders.
export type { DeliveryRecord } from '../model.js';

/** One HTTP request a sink wants sent. */
export interface SinkRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

/** A place alerts go. Secrets stay inside the closures that build requests; nothing here exposes them. */
export interface AlertSink {
  readonly name: DeliveryRecord['sink'];
  /** The URL, redacted: safe to log and record. */
  readonly target: string;
  /** Builds the request of one attempt (signatures carry the attempt's time). */
  request(message: AlertMessage, nowMs: number): SinkRequest;
  /** Reads a 2xx response body; returns why it is a failure after all (DingTalk's `errcode`), or undefined. */
  check?(body: string): string | undefined;
  /** Removes this sink's secrets (secret, URL, tokens) from a text. */
  scrub(text: string): string;
}

export interface DeliveryOptions {
  /** Default: the global fetch. */
  fetch?: typeof fetch;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  /** Epoch ms, for signatures and timestamps. */
  now?: () => number;
  /** Requests per message and sink, the first included (default 4). */
  maxAttempts?: number;
  baseMs?: number;
  capMs?: number;
  /** Per request (default 5000 ms). */
  timeoutMs?: number;
  logger?: Logger;
}

/** An attempt that failed, with whether another attempt could succeed. */
export class AlertDeliveryError extends SseGuardError {
  readonly status?: number;
  readonly retryable: boolean;
  constructor(
    message: string,
    fields: { status?: number; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.status = fields.status;
    this.retryable = fields.retryable;
  }
}

function describeFailure(err: unknown, timeoutMs: number): { text: string; retryable: boolean } {
  if (err instanceof AlertDeliveryError) return { text: err.message, retryable: err.retryable };
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) {
    return { text: `no response within ${timeoutMs} ms`, retryable: true };
  }
  // fetch's TypeError says "fetch failed"; the useful part (ECONNREFUSED, ...) is its cause's code.
  const cause = err instanceof Error ? (err.cause as { code?: unknown } | undefined) : undefined;
  const code = typeof cause?.code === 'string' ? ` (${cause.code})` : '';
  return { text: `${err instanceof Error ? err.message : String(err)}${code}`, retryable: true };
}

/** Sends one message to one sink, retrying as the options allow. Resolves to its record; never rejects. */
export async function deliver(
  sink: AlertSink,
  message: AlertMessage,
  opts: DeliveryOptions = {},
): Promise<DeliveryRecord> {
  const doFetch = opts.fetch ?? globalThis.fetch;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  const maxAttempts = Math.max(1, opts.maxAttempts ?? 4);
  const timeoutMs = opts.timeoutMs ?? 5000;
  const record: DeliveryRecord = {
    sink: sink.name,
    target: sink.target,
    messageId: message.id,
    kind: message.kind,
    ok: false,
    attempts: 0,
  };
  for (let attempt = 0; attempt < maxAttempts; attempt += 1) {
    record.attempts = attempt + 1;
    let retryable: boolean;
    try {
      const req = sink.request(message, now());
      const res = await doFetch(req.url, {
        method: 'POST',
        headers: req.headers,
        body: req.body,
        // A redirect would carry a signed body somewhere else; treat it as a failure instead.
        redirect: 'manual',
        signal: AbortSignal.timeout(timeoutMs),
      });
      record.status = res.status;
      const body = await res.text();
      if (res.ok) {
        const problem = sink.check?.(body);
        if (problem === undefined) {
          record.ok = true;
          delete record.error;
          break;
        }
        throw new AlertDeliveryError(problem, { status: res.status, retryable: false });
      }
      throw new AlertDeliveryError(`HTTP ${res.status} from ${sink.target}`, {
        status: res.status,
        retryable: res.status === 408 || res.status === 429 || res.status >= 500,
      });
    } catch (err) {
      const failure = describeFailure(err, timeoutMs);
      record.error = sink.scrub(failure.text);
      retryable = failure.retryable;
    }
    if (!retryable || attempt + 1 >= maxAttempts) break;
    await sleep(backoffDelay(attempt, opts.baseMs ?? 200, opts.capMs ?? 5000, random));
  }
  const { logger } = opts;
  const fields = {
    sink: record.sink,
    target: record.target,
    messageId: record.messageId,
    attempts: record.attempts,
  };
  if (record.ok) logger?.info({ ...fields, status: record.status }, 'alert delivered');
  else logger?.warn({ ...fields, status: record.status, error: record.error }, 'alert delivery failed');
  return record;
}

/**
 * Sends every message at or above `minSeverity` (default `warning`) to every sink, one at a time (chat
 * robots throttle bursts). Resolves to one record per message and sink; never rejects.
 */
export async function sendAlerts(
  messages: readonly AlertMessage[],
  sinks: readonly AlertSink[],
  opts: DeliveryOptions & { minSeverity?: Severity } = {},
): Promise<DeliveryRecord[]> {
  const min = opts.minSeverity ?? 'warning';
  const records: DeliveryRecord[] = [];
  for (const message of messages) {
    if (!atLeast(message.severity, min)) continue;
    for (const sink of sinks) records.push(await deliver(sink, message, opts));
  }
  return records;
}
