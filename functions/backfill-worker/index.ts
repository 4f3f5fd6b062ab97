/**
 * backfill-worker: one step of a backfill run, invoked asynchronously (by the coordinator, or by itself to
 * continue). Thin: the wrapper (shared/entry/fc-function.ts) builds the dependencies once per instance
 * (rebuilt when the context's STS credentials rotate); this file parses the job and runs the worker until
 * the shard is done or the deadline nears.
 *
 * The invocation fails (throws) only to be retried: a retryable cloud error, or a broken setup. Function
 * Compute then retries it (async invocations, 3 times by default) and the retry resumes from the shard's
 * last checkpoint.
 */
import { fcInvoker } from '../../shared/backfill/invoker.js';
import { fcTargetFromEnv, parseWorkerJob } from '../../shared/backfill/payload.js';
import { runWorker, type WorkerResult } from '../../shared/backfill/worker.js';
import { fcFunction } from '../../shared/entry/fc-function.js';
import { OwnWrites } from '../../shared/objects/own-writes.js';

/** Versions this instance copied, so a copy is never repeated by a later step on the same instance. */
const ownWrites = new OwnWrites();

/** The Function Compute Node.js 20 handler: `(event, context) => summary`; throws only to be retried. */
export const handler = fcFunction<WorkerResult>({
  name: 'backfill-worker',
  async run(event, inv) {
    const job = parseWorkerJob(event);
    const rt = inv.runtime();
    const { context, settings, log } = inv;
    // The continuation goes to this very function: its name, service and region come from the context.
    const target = fcTargetFromEnv(process.env, context.function.name, context.service?.name);
    const invoker = fcInvoker({
      credentials: inv.credentials,
      accountId: context.accountId,
      region: context.region,
      ...(settings.fcEndpoint ? { endpoint: settings.fcEndpoint } : {}),
      ...target,
      logger: log,
    });
    try {
      const result = await runWorker({ oss: rt.oss, kms: rt.kms, logger: log, invoker, ownWrites }, job, {
        deadlineMs: inv.deadlineMs,
      });
      log.info({ ...result }, 'backfill worker done');
      return result;
    } catch (err) {
      log.error(
        { err: (err as Error).message, shardId: job.shardId, seq: job.seq },
        'backfill worker failed',
      );
      throw err;
    }
  },
});
