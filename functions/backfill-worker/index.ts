/**
 * backfill-worker: one step of a backfill run, invoked asynchronously (by the coordinator, or by itself to
 * continue). Thin: parse the job, build the dependencies once per instance (rebuilt when the context's STS
 * credentials rotate), run the worker until the shard is done or the deadline nears, return a summary.
 *
 * The invocation fails (throws) only to be retried: a retryable cloud error, or a broken setup. Function
 * Compute then retries it (async invocations, 3 times by default) and the retry resumes from the shard's
 * last checkpoint.
 */
import { type Clock, systemClock } from '../../shared/audit/deps.js';
import { fcInvoker } from '../../shared/backfill/invoker.js';
import { fcTargetFromEnv, parseWorkerJob } from '../../shared/backfill/payload.js';
import { runWorker, type WorkerResult } from '../../shared/backfill/worker.js';
import { credentialsFromContext } from '../../shared/cloud/credentials.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import { settingsFromEnv } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/log.js';
import { OwnWrites } from '../../shared/objects/own-writes.js';
import { RuntimeCache } from '../../shared/runtime.js';

let baseLogger: Logger | undefined;
const runtimes = new RuntimeCache();
/** Versions this instance copied, so a copy is never repeated by a later step on the same instance. */
const ownWrites = new OwnWrites();

/**
 * The handler with its clock given: the worker's time budget (when to checkpoint and hand off) is read
 * from this clock against `context.deadlineMs`, so tests drive it with a virtual clock instead of real
 * time. Function Compute calls `handler`, which uses the system clock.
 */
export function createHandler(opts: { clock?: Clock } = {}) {
  const clock = opts.clock ?? systemClock;
  return (event: Buffer | string, context: FcContext): Promise<WorkerResult> => run(event, context, clock);
}

/** The Function Compute Node.js 20 handler: `(event, context) => summary`; throws only to be retried. */
export const handler = createHandler();

async function run(event: Buffer | string, context: FcContext, clock: Clock): Promise<WorkerResult> {
  baseLogger ??= createLogger({ base: { fn: 'backfill-worker' } });
  const log = baseLogger.child({ requestId: context.requestId });
  const job = parseWorkerJob(event);
  const settings = settingsFromEnv();
  const credentials = credentialsFromContext(context);
  const rt = runtimes.get(settings, credentials, baseLogger);
  // The continuation goes to this very function: its name, service and region come from the context.
  const target = fcTargetFromEnv(process.env, context.function.name, context.service?.name);
  const invoker = fcInvoker({
    credentials,
    accountId: context.accountId,
    region: context.region,
    ...(settings.fcEndpoint ? { endpoint: settings.fcEndpoint } : {}),
    ...target,
    logger: log,
  });
  const deadlineMs = context.deadlineMs ?? clock.now().getTime() + context.function.timeout * 1000;
  try {
    const result = await runWorker({ oss: rt.oss, kms: rt.kms, logger: log, invoker, ownWrites, clock }, job, {
      deadlineMs,
    });
    log.info({ ...result }, 'backfill worker done');
    return result;
  } catch (err) {
    log.error({ err: (err as Error).message, shardId: job.shardId, seq: job.seq }, 'backfill worker failed');
    throw err;
  }
}
