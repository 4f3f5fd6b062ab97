/**
 * An adaptive concurrency limit (AIMD, as TCP congestion control): at most `limit` calls run at once; a
 * throttling answer (HTTP 503 `MetaOperationQpsLimitExceeded`..., 429) halves the calls in flight, and successes
 * while the limit is in use raise it by `increase` for every `limit` of them (about one per round trip).
 * The others wait in arrival order.
 *
 * One throttling episode halves the limit once: a throttled call that started before the latest decrease
 * saw the old, larger limit, so it says nothing new (each decrease opens an epoch; calls remember theirs).
 * This needs no clock, so a burst of 503s from one over-full window costs one halving, not one per call.
 *
 * Wrap each attempt, not the whole retry loop: then a call sleeping in its backoff holds no slot.
 *
 * Not a second worker pool: shared/pool.ts bounds the work a caller maps over; this bounds the calls all
 * those workers make to one endpoint, and its bound moves with the endpoint's throttling.
 */

export interface AdaptiveLimitOptions {
  /** The most calls ever in flight (the configured concurrency). */
  max: number;
  /** Starting limit (default `max`: an unthrottled account pays no ramp-up). */
  initial?: number;
  /** The least the limit falls to (default 1). */
  min?: number;
  /** Multiplier applied on throttling, 0 < backoff < 1 (default 0.5). */
  backoff?: number;
  /** Added to the limit per round trip of successes at full use (default 1). */
  increase?: number;
  /** Whether a thrown error is a throttling answer. */
  isThrottle: (err: unknown) => boolean;
}

export interface AdaptiveLimitStats {
  /** Calls that succeeded. */
  successes: number;
  /** Calls answered with throttling. */
  throttles: number;
  /** Times the limit was cut (at most once per epoch). */
  decreases: number;
  /** The lowest limit reached so far. */
  lowest: number;
}

function positive(name: string, v: number, integer: boolean): number {
  if (!Number.isFinite(v) || v <= 0 || (integer && !Number.isInteger(v))) {
    throw new RangeError(
      `AdaptiveLimit: ${name} must be a positive ${integer ? 'integer' : 'number'}, got ${v}`,
    );
  }
  return v;
}

export class AdaptiveLimit {
  private current: number;
  private active = 0;
  private epoch = 0;
  /** Successes at full use since the last change of the limit. */
  private credit = 0;
  /** FIFO of waiters; `head` avoids O(n) shifts on long queues. */
  private readonly waiting: Array<(() => void) | undefined> = [];
  private head = 0;
  private readonly max: number;
  private readonly min: number;
  private readonly backoff: number;
  private readonly increase: number;
  private readonly isThrottle: (err: unknown) => boolean;
  readonly stats: AdaptiveLimitStats;

  constructor(opts: AdaptiveLimitOptions) {
    this.max = positive('max', opts.max, true);
    this.min = positive('min', opts.min ?? 1, true);
    if (this.min > this.max)
      throw new RangeError(`AdaptiveLimit: min (${this.min}) exceeds max (${this.max})`);
    const initial = positive('initial', opts.initial ?? this.max, true);
    this.current = Math.min(this.max, Math.max(this.min, initial));
    this.backoff = positive('backoff', opts.backoff ?? 0.5, false);
    if (this.backoff >= 1)
      throw new RangeError(`AdaptiveLimit: backoff must be below 1, got ${this.backoff}`);
    this.increase = positive('increase', opts.increase ?? 1, false);
    this.isThrottle = opts.isThrottle;
    this.stats = { successes: 0, throttles: 0, decreases: 0, lowest: this.current };
  }

  /** How many calls may run at once now. */
  get limit(): number {
    return Math.floor(this.current);
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length - this.head;
  }

  /** Runs `fn` when a slot is free; its result or error passes through unchanged. */
  async run<T>(fn: () => Promise<T>): Promise<T> {
    await this.acquire();
    const epoch = this.epoch;
    const saturated = () => this.active + this.queued >= this.limit;
    try {
      const result = await fn();
      this.stats.successes += 1;
      // Grow only while the limit is what holds calls back; an idle limit proves nothing.
      if (saturated()) this.grow();
      return result;
    } catch (err) {
      if (this.isThrottle(err)) this.onThrottle(epoch);
      throw err;
    } finally {
      this.release();
    }
  }

  private grow(): void {
    this.credit += 1;
    if (this.credit < this.limit) return;
    this.credit = 0;
    this.current = Math.min(this.max, this.current + this.increase);
  }

  private onThrottle(epoch: number): void {
    this.stats.throttles += 1;
    if (epoch !== this.epoch) return;
    this.epoch += 1;
    this.stats.decreases += 1;
    // Halve what was really in flight: a limit above what the caller ever runs would otherwise take
    // several throttled round trips to bite.
    this.current = Math.max(this.min, Math.floor(Math.min(this.current, this.active) * this.backoff));
    this.credit = 0;
    this.stats.lowest = Math.min(this.stats.lowest, this.limit);
  }

  private acquire(): Promise<void> {
    if (this.active < this.limit && this.queued === 0) {
      this.active += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      this.waiting.push(resolve);
    });
  }

  private release(): void {
    this.active -= 1;
    while (this.active < this.limit && this.queued > 0) {
      const next = this.waiting[this.head];
      this.waiting[this.head] = undefined;
      this.head += 1;
      this.active += 1;
      next?.();
    }
    if (this.head > 1024 && this.head * 2 > this.waiting.length) {
      this.waiting.splice(0, this.head);
      this.head = 0;
    }
  }
}

/** Whether a normalised cloud error is throttling: 429, or 503 (OSS answers its QPS limits with 503). */
export function isThrottling(err: unknown): boolean {
  const status = (err as { status?: unknown } | null)?.status;
  return status === 429 || status === 503;
}
