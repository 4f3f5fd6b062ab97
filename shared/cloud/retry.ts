/**
 * Retries with full-jitter exponential backoff (delay = random(0, min(cap, base * 2^attempt))), for the
 * failures the SDKs do not retry themselves: throttling (503), other 5xx and network errors. The sleep and
 * the random source are injectable so tests control time.
 */
import { CloudError } from '../errors.js';

export interface RetryOptions {
  /** Total attempts, the first included (default 6). */
  maxAttempts?: number;
  /** Base delay in ms (default 100). */
  baseMs?: number;
  /** Largest delay in ms (default 5000). */
  capMs?: number;
  /** Stop retrying when the next attempt would start after this epoch-ms deadline. */
  deadline?: number;
  /**
   * Epoch ms no attempt may outlive: gateways cap each attempt's timeout at what is left and send none
   * after it. Separate from `deadline`, which only stops retries (a backfill lets in-flight calls end
   * inside its reserve); the audit sets both.
   */
  timeoutBy?: number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
  now?: () => number;
  onRetry?: (info: { attempt: number; delayMs: number; error: CloudError }) => void;
}

export const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function backoffDelay(attempt: number, baseMs: number, capMs: number, random: () => number): number {
  return Math.floor(random() * Math.min(capMs, baseMs * 2 ** attempt));
}

/**
 * Runs `fn`, retrying while it throws a retryable `CloudError`. Any other error, a non-retryable
 * `CloudError`, or exhausted attempts rethrow the last error; the number of attempts is on `error.attempts`.
 */
export async function withRetry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions = {}): Promise<T> {
  const maxAttempts = opts.maxAttempts ?? 6;
  const baseMs = opts.baseMs ?? 100;
  const capMs = opts.capMs ?? 5000;
  const sleep = opts.sleep ?? defaultSleep;
  const random = opts.random ?? Math.random;
  const now = opts.now ?? Date.now;
  for (let attempt = 0; ; attempt += 1) {
    try {
      return await fn(attempt);
    } catch (err) {
      if (!(err instanceof CloudError) || !err.retryable || attempt + 1 >= maxAttempts) {
        if (err instanceof CloudError) err.attempts = attempt + 1;
        throw err;
      }
      const delayMs = backoffDelay(attempt, baseMs, capMs, random);
      if (opts.deadline !== undefined && now() + delayMs >= opts.deadline) {
        err.attempts = attempt + 1;
        throw err;
      }
      opts.onRetry?.({ attempt: attempt + 1, delayMs, error: err });
      await sleep(delayMs);
    }
  }
}
