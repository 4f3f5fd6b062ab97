/**
 * bucket-watch: the EventBridge-triggered Function Compute function. Thin: build the dependencies once per
 * instance (module scope, lazily; rebuilt when the context's STS credentials rotate), load the policy once
 * per instance, run the watch on the event, return its summary.
 *
 * The per-bucket coalescer lives at module scope on purpose: concurrent invocations served by this instance
 * share it, so a burst of events for one bucket leads to one audit plus at most one follow-up.
 *
 * Malformed or foreign events are counted in the summary and the invocation succeeds, so they are not
 * retried. The invocation fails only on a retryable cloud error (throttling, 5xx, network, deadline) or a
 * broken setup (a bad policy or setting): then Function Compute's retries are what we want.
 */
import { alertsConfigFromEnv } from '../../shared/alerts/schema.js';
import { credentialsFromContext } from '../../shared/cloud/credentials.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import { settingsFromEnv } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/log.js';
import { PolicyCache } from '../../shared/policy/cache.js';
import type { LoadedPolicy } from '../../shared/policy/load.js';
import { storeFor } from '../../shared/report/store.js';
import { RuntimeCache } from '../../shared/runtime.js';
import { BucketCoalescer, OwnAccessKeys } from '../../shared/watch/coalesce.js';
import type { RunOutcome, WatchSummary } from '../../shared/watch/types.js';
import { watchEvents } from '../../shared/watch/watch.js';

let baseLogger: Logger | undefined;
const runtimes = new RuntimeCache();
const policies = new PolicyCache();
const coalescer = new BucketCoalescer<RunOutcome>();
const ownKeys = new OwnAccessKeys();

/** The Function Compute Node.js 20 handler: `(event, context) => summary`; throws only to be retried. */
export async function handler(event: Buffer | string, context: FcContext): Promise<WatchSummary> {
  baseLogger ??= createLogger({ base: { fn: 'bucket-watch' } });
  const log = baseLogger.child({ requestId: context.requestId });
  const settings = settingsFromEnv();
  const credentials = credentialsFromContext(context);
  ownKeys.remember(credentials.accessKeyId);
  const rt = runtimes.get(settings, credentials, baseLogger);
  let loaded: LoadedPolicy;
  try {
    loaded = await policies.get(settings.policyRef, (bucket, key, max) =>
      rt.oss.getObjectBounded(bucket, key, max),
    );
  } catch (err) {
    log.error({ err: (err as Error).message }, 'bucket watch policy could not be loaded');
    throw err;
  }
  const location = settings.reportLocation;
  const summary = await watchEvents(
    {
      ...rt,
      logger: log,
      coalescer,
      ownKeys,
      // Run reports go beside the timer's, never over its latest.json (the drift baseline).
      ...(location ? { store: storeFor(`${location.replace(/\/+$/, '')}/watch`, rt.oss) } : {}),
      alerts: { config: loaded.policy.alerts ?? alertsConfigFromEnv(process.env), env: process.env },
    },
    {
      policy: loaded,
      events: event,
      accountId: context.accountId,
      dryRun: settings.dryRun,
      deadline: context.deadlineMs ?? Date.now() + context.function.timeout * 1000,
      requestId: context.requestId,
    },
  );
  if (summary.retryableFailure) {
    const failed = summary.results.filter((r) => r.status === 'error').map((r) => `${r.region}/${r.bucket}`);
    throw new Error(
      `bucket watch: retryable cloud error on ${failed.join(', ')}; failing so Function Compute retries`,
    );
  }
  return summary;
}
