/**
 * Parsing trigger events as Function Compute delivers them (a Buffer of JSON).
 */
import { EventError } from './errors.js';

/** The timer trigger event: `{"triggerTime","triggerName","payload"}` (Function Compute "trigger event formats"). */
export interface TimerEvent {
  triggerTime?: string;
  triggerName?: string;
  payload?: string;
}

export function eventText(event: Buffer | string | unknown): string {
  if (Buffer.isBuffer(event)) return event.toString('utf8');
  if (typeof event === 'string') return event;
  if (event && typeof event === 'object') return JSON.stringify(event);
  return '';
}

/** Parses a timer event; an empty event (a manual test invocation) is accepted as `{}`. */
export function parseTimerEvent(event: Buffer | string): TimerEvent {
  const text = eventText(event).trim();
  if (text === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new EventError(`timer event: not JSON (starts with ${JSON.stringify(text.slice(0, 20))})`);
  }
  if (!data || typeof data !== 'object' || Array.isArray(data))
    throw new EventError('timer event: expected a JSON object');
  const d = data as Record<string, unknown>;
  for (const k of ['triggerTime', 'triggerName', 'payload'] as const) {
    if (d[k] !== undefined && typeof d[k] !== 'string')
      throw new EventError(`timer event: ${k} must be a string`);
  }
  return d as TimerEvent;
}
