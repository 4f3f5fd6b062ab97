/**
 * How worker jobs are started. In Function Compute: an asynchronous invocation of the worker function
 * (`fcInvoker`, through the FC gateway it is given; without one it builds a default on first use, so
 * nothing else pays for the SDK — Powertools' BaseProvider pattern). Locally
 * (`--local`): an in-process queue with the same contract as Function Compute's async invocations, a
 * bounded number running at once and a failed run retried, so the very same worker code runs both ways.
 */
import type { Credentials } from '../cloud/credentials.js';
import type { FcApiVersion, FcGateway } from '../cloud/fc.js';
import type { RetryOptions } from '../cloud/retry.js';
import { describeError } from '../errors.js';
import type { Logger } from '../log.js';
import type { WorkerJob } from './types.js';

/** Starts worker jobs; the worker uses it to continue itself, the coordinator to start every shard. */
export interface WorkerInvoker {
  /** Starts `job` asynchronously; resolves once it is accepted (not when it has run). */
  dispatch(job: WorkerJob): Promise<void>;
}

/** Where the worker function is and how to reach it. */
export interface FcInvokerOptions {
  credentials: Credentials;
  accountId: string;
  region: string;
  endpoint?: string;
  apiVersion: FcApiVersion;
  functionName: string;
  /** The FC 2.0 service (the `2016-08-15` path only). */
  service?: string;
  qualifier?: string;
  retry?: RetryOptions;
  logger?: Logger;
  /** The gateway to dispatch through; default: an FC gateway built from these options on first dispatch. */
  gateway?: FcInvokeGateway;
}

/** What dispatching needs of the FC gateway. */
export type FcInvokeGateway = Pick<FcGateway, 'invokeAsync'>;

/**
 * The FC gateway to dispatch through: the one given, or one built from `opts` on first use (so nothing
 * that never dispatches loads the FC SDK). Shared by the backfill's and the organization run's invokers.
 */
export function dispatchGateway(
  opts: Pick<
    FcInvokerOptions,
    'credentials' | 'accountId' | 'region' | 'endpoint' | 'apiVersion' | 'retry' | 'logger' | 'gateway'
  >,
): () => Promise<FcInvokeGateway> {
  let gateway: Promise<FcInvokeGateway> | undefined = opts.gateway && Promise.resolve(opts.gateway);
  return () =>
    (gateway ??= import('../cloud/fc.js').then(
      (m) =>
        new m.FcGateway({
          credentials: opts.credentials,
          accountId: opts.accountId,
          region: opts.region,
          apiVersion: opts.apiVersion,
          ...(opts.endpoint ? { endpoint: opts.endpoint } : {}),
          ...(opts.retry ? { retry: opts.retry } : {}),
          ...(opts.logger ? { logger: opts.logger } : {}),
        }),
    ));
}

/** Dispatches jobs as asynchronous Function Compute invocations of the worker function. */
export function fcInvoker(opts: FcInvokerOptions): WorkerInvoker {
  const gateway = dispatchGateway(opts);
  const target = {
    functionName: opts.functionName,
    ...(opts.service ? { service: opts.service } : {}),
    ...(opts.qualifier ? { qualifier: opts.qualifier } : {}),
  };
  return {
    async dispatch(job) {
      const invocation = await (await gateway()).invokeAsync(target, JSON.stringify(job));
      opts.logger?.debug(
        { shardId: job.shardId, seq: job.seq, requestId: invocation.requestId },
        'backfill job dispatched',
      );
    },
  };
}

/** How the in-process queue behaves (the local stand-in for Function Compute async invocations). */
export interface LocalInvokerOptions {
  /** Jobs running at once. */
  concurrency: number;
  /** Time each run gets, like a function timeout (ms). */
  budgetMs: number;
  /** Retries after a failed run (default 3, as Function Compute's async retries). */
  maxRetries?: number;
  /** Wait before a retry, doubled each time (default 50 ms). */
  retryDelayMs?: number;
  now?: () => number;
}

/** A job that failed every attempt. */
export interface FailedJob {
  job: WorkerJob;
  attempts: number;
  error: string;
}

/**
 * Runs jobs in process: `run(job, deadlineMs)` is the worker. Not the bounded pool of shared/pool.ts on
 * purpose: jobs arrive one `dispatch` at a time while others run (a worker dispatches its next segment),
 * and failed ones come back after a delay, so this is a queue with retries that stands in for Function
 * Compute's async invocations, not a map over a known list.
 */
export class LocalInvoker implements WorkerInvoker {
  private readonly queue: Array<{ job: WorkerJob; attempt: number }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();
  private running = 0;
  private waiters: Array<() => void> = [];
  /** Jobs that failed every attempt. */
  readonly failures: FailedJob[] = [];

  constructor(
    private readonly run: (job: WorkerJob, deadlineMs: number) => Promise<unknown>,
    private readonly opts: LocalInvokerOptions,
  ) {}

  async dispatch(job: WorkerJob): Promise<void> {
    this.queue.push({ job, attempt: 1 });
    this.pump();
  }

  /** Resolves when nothing is queued, running or waiting for a retry. */
  idle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  private isIdle(): boolean {
    return this.queue.length === 0 && this.running === 0 && this.timers.size === 0;
  }

  private pump(): void {
    const now = this.opts.now ?? Date.now;
    while (this.running < this.opts.concurrency && this.queue.length > 0) {
      const next = this.queue.shift();
      if (!next) break;
      this.running += 1;
      this.run(next.job, now() + this.opts.budgetMs)
        .then(
          () => undefined,
          (err: unknown) => this.failed(next, err),
        )
        .finally(() => {
          this.running -= 1;
          this.pump();
          this.settle();
        });
    }
  }

  private failed(p: { job: WorkerJob; attempt: number }, err: unknown): void {
    if (p.attempt > (this.opts.maxRetries ?? 3)) {
      this.failures.push({ job: p.job, attempts: p.attempt, error: describeError(err) });
      return;
    }
    const delay = (this.opts.retryDelayMs ?? 50) * 2 ** (p.attempt - 1);
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
