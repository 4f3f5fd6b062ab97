/**
 * Fault injection shared by the OSS, KMS and Function Compute emulators.
 *
 * Faults are set per operation name (`GetBucketEncryption`, `DescribeKey`, `Invoke`...) or for every
 * operation with `'*'`. Each request asks `decide(op)` once and gets what to do to it. Randomness comes
 * from a seeded PRNG so a failing run can be reproduced with the same seed.
 */

export interface FaultSpec {
  /** Milliseconds added before the request is processed. */
  latencyMs?: number;
  /** Probability (0..1) that a request is answered 503 with a throttling code. */
  throttleRate?: number;
  /** Answer 503 once more than this many requests of the operation arrived within the last second. */
  maxQps?: number;
  /** Throttling error code; OSS: MetaOperationQpsLimitExceeded (default) or TotalQpsLimitExceeded. */
  throttleCode?: string;
  /** Probability (0..1) that a request is answered with a 5xx error. */
  errorRate?: number;
  /** Status of those errors (default 500). */
  errorStatus?: number;
  /** Probability (0..1) that the connection is destroyed with no response. */
  dropRate?: number;
  /** `before`: the request is not processed (default); `after`: it is processed, the response is lost. */
  dropPhase?: 'before' | 'after';
  /** Milliseconds between chunks of the response body (slow body). */
  slowBodyMs?: number;
  /** Apply only to the next N requests of the operation, then remove the fault. */
  times?: number;
}

/** When a watcher hears of a request. */
export type RequestPhase = 'received' | 'handled';

export type FaultDecision =
  | { kind: 'none'; latencyMs: number; slowBodyMs: number; dropAfter: boolean }
  | { kind: 'throttle'; latencyMs: number; code: string }
  | { kind: 'error'; latencyMs: number; status: number }
  | { kind: 'drop'; latencyMs: number };

/** mulberry32: a small, fast, seedable PRNG; good enough for fault sampling. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface Entry {
  spec: FaultSpec;
  remaining: number;
  window: number[];
}

export class Faults {
  private readonly entries = new Map<string, Entry>();
  private random: () => number;
  /** Requests seen per operation, faulted or not (lets tests assert on retries). */
  readonly counts = new Map<string, number>();

  private readonly observers = new Set<(op: string, phase: RequestPhase) => void>();

  constructor(seed = 1) {
    this.random = seededRandom(seed);
  }

  /**
   * Calls `fn` for every request: `received` when it arrives (before any fault), `handled` once the
   * emulator has processed it and before the answer is sent (OSS only). Lets a test act at an exact
   * point of a run (kill the client process, start an outage) without timing. Returns an unsubscribe.
   */
  watch(fn: (op: string, phase: RequestPhase) => void): () => void {
    this.observers.add(fn);
    return () => this.observers.delete(fn);
  }

  /** Tells the watchers that `op` was processed (its effect is in the state; the answer not yet sent). */
  handled(op: string): void {
    for (const fn of this.observers) fn(op, 'handled');
  }

  /** Sets (replaces) the fault of one operation, or of every operation with `'*'`. */
  set(op: string, spec: FaultSpec): void {
    for (const [key, value] of Object.entries(spec)) {
      if (typeof value === 'number' && (!Number.isFinite(value) || value < 0)) {
        throw new RangeError(`Fault "${op}": ${key} must be a finite number >= 0, got ${value}`);
      }
      if (key.endsWith('Rate') && typeof value === 'number' && value > 1) {
        throw new RangeError(`Fault "${op}": ${key} is a probability, expected 0..1, got ${value}`);
      }
    }
    this.entries.set(op, { spec, remaining: spec.times ?? Number.POSITIVE_INFINITY, window: [] });
  }

  /** Removes the fault of one operation, or all faults. */
  clear(op?: string): void {
    if (op === undefined) this.entries.clear();
    else this.entries.delete(op);
  }

  reseed(seed: number): void {
    this.random = seededRandom(seed);
  }

  /** How many requests of `op` arrived (all outcomes). */
  count(op: string): number {
    return this.counts.get(op) ?? 0;
  }

  decide(op: string, now = Date.now()): FaultDecision {
    this.counts.set(op, this.count(op) + 1);
    for (const fn of this.observers) fn(op, 'received');
    const entry = this.entries.get(op) ?? this.entries.get('*');
    if (!entry || entry.remaining <= 0)
      return { kind: 'none', latencyMs: 0, slowBodyMs: 0, dropAfter: false };
    entry.remaining -= 1;
    if (entry.remaining <= 0) {
      for (const [key, value] of this.entries) if (value === entry) this.entries.delete(key);
    }
    const s = entry.spec;
    const latencyMs = s.latencyMs ?? 0;
    if (s.maxQps !== undefined) {
      entry.window.push(now);
      while (entry.window.length > 0 && (entry.window[0] ?? now) <= now - 1000) entry.window.shift();
      if (entry.window.length > s.maxQps) {
        // A rejected request does not count against the quota, as with a token bucket.
        entry.window.pop();
        return { kind: 'throttle', latencyMs, code: s.throttleCode ?? 'MetaOperationQpsLimitExceeded' };
      }
    }
    if (s.dropRate && this.random() < s.dropRate) {
      if (s.dropPhase === 'after') return { kind: 'none', latencyMs, slowBodyMs: 0, dropAfter: true };
      return { kind: 'drop', latencyMs };
    }
    if (s.throttleRate && this.random() < s.throttleRate) {
      return { kind: 'throttle', latencyMs, code: s.throttleCode ?? 'MetaOperationQpsLimitExceeded' };
    }
    if (s.errorRate && this.random() < s.errorRate) {
      return { kind: 'error', latencyMs, status: s.errorStatus ?? 500 };
    }
    return { kind: 'none', latencyMs, slowBodyMs: s.slowBodyMs ?? 0, dropAfter: false };
  }
}
