/**
 * Proposal C, measured here without touching shared/cloud/oss.ts: the OSS gateway with an adaptive
 * concurrency limit (shared/cloud/adaptive-limit.ts) around every attempt of every call, so throttling
 * (503) halves the calls in flight and successes probe back up, while a call sleeping in its retry
 * backoff holds no slot. The scanner's own bound (p-limit at `concurrency`) stays the ceiling.
 */
import { AdaptiveLimit, isThrottling } from '../../shared/cloud/adaptive-limit.js';
import { OssGateway, type OssGatewayOptions } from '../../shared/cloud/oss.js';
import type { RetryOptions } from '../../shared/cloud/retry.js';

export interface LimitedGatewayOptions extends OssGatewayOptions {
  /** When set, every attempt runs through this limit. */
  limit?: AdaptiveLimit;
}

/** A limit as Proposal C builds it in buildRuntime: up to 512 in flight (the CLI's ceiling), halved on throttling. */
export function ossAdaptiveLimit(max = 512): AdaptiveLimit {
  return new AdaptiveLimit({ max, isThrottle: isThrottling });
}

export class LimitedGateway extends OssGateway {
  readonly limit?: AdaptiveLimit;
  /** The options, kept for subclasses (the base class keeps its own copy private). */
  protected readonly options: LimitedGatewayOptions;

  constructor(opts: LimitedGatewayOptions) {
    super(opts);
    this.options = opts;
    if (opts.limit) this.limit = opts.limit;
  }

  override call<T>(subject: string, fn: () => Promise<T>, retry?: RetryOptions): Promise<T> {
    const limit = this.limit;
    return super.call(subject, limit ? () => limit.run(fn) : fn, retry);
  }
}
