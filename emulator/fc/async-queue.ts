/**
 * The asynchronous invocation queue: jobs run with bounded concurrency; a failed attempt is retried up
 * to `maxRetries` more times, waiting `retryDelayMs * 2^(attempt-1)` before each retry.
 *
 * Function Compute's own policy ("Error handling", async invocations): a function error
 * (HandledInvocationError / UnhandledInvocationError, timeouts included) is retried 3 times by default
 * (configurable 0..8 per function); throttling and system errors are retried with binary exponential
 * backoff starting at 0.5 s. The emulator keeps the shape and makes the numbers small and configurable.
 */

export interface AsyncJob {
  /** Runs attempt number `attempt` (1-based); resolves true on success. */
  run(attempt: number): Promise<boolean>;
}

export interface AsyncQueueOptions {
  concurrency: number;
  maxRetries: number;
  retryDelayMs: number;
}

interface Pending {
  job: AsyncJob;
  attempt: number;
}

export class AsyncQueue {
  private readonly opts: AsyncQueueOptions;
  private readonly queue: Pending[] = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private waiters: Array<() => void> = [];
  private running = 0;
  private closed = false;

  constructor(opts: AsyncQueueOptions) {
    if (!Number.isInteger(opts.concurrency) || opts.concurrency < 1) {
      throw new RangeError(`asyncConcurrency must be an integer >= 1, got ${opts.concurrency}`);
    }
    if (!Number.isInteger(opts.maxRetries) || opts.maxRetries < 0) {
      throw new RangeError(`asyncMaxRetries must be an integer >= 0, got ${opts.maxRetries}`);
    }
    this.opts = opts;
  }

  enqueue(job: AsyncJob): void {
    if (this.closed) return;
    this.queue.push({ job, attempt: 1 });
    this.pump();
  }

  /** Resolves when nothing is queued, running or waiting to be retried. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Drops queued jobs and pending retries; running attempts finish on their own. */
  close(): void {
    this.closed = true;
    this.queue.length = 0;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    this.settle();
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.timers.size === 0;
  }

  private pump(): void {
    while (!this.closed && this.running < this.opts.concurrency && this.queue.length > 0) {
      const next = this.queue.shift();
      if (!next) break;
      this.running += 1;
      next.job
        .run(next.attempt)
        .catch(() => false)
        .then((ok) => {
          this.running -= 1;
          if (!ok && next.attempt <= this.opts.maxRetries && !this.closed) this.retryLater(next);
          this.pump();
          this.settle();
        });
    }
  }

  private retryLater(p: Pending): void {
    const delay = this.opts.retryDelayMs * 2 ** (p.attempt - 1);
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      this.queue.push({ job: p.job, attempt: p.attempt + 1 });
      this.pump();
      this.settle();
    }, delay);
    this.timers.add(timer);
  }

  private settle(): void {
    if (!this.isIdle()) return;
    const waiters = this.waiters;
    this.waiters = [];
    for (const w of waiters) w();
  }
}
