/**
 * bucket-watch: the EventBridge-triggered Function Compute function. Thin: the wrapper
 * (shared/entry/fc-function.ts) builds the dependencies and loads the policy once per instance; this file
 * runs the watch on the event and returns its summary.
 *
 * The per-bucket coalescer lives at module scope on purpose: concurrent invocations served by this instance
 * share it, so a burst of events for one bucket leads to one audit plus at most one follow-up.
 *
 * Malformed or foreign events are counted in the summary and the invocation succeeds, so they are not
 * retried. The invocation fails only on a retryable cloud error (throttling, 5xx, network, deadline) or a
 * broken setup (a bad policy or setting): then Function Compute's retries are what we want.
 */
import { fcFunction } from '../../shared/entry/fc-function.js';
import { storeFor } from '../../shared/report/store.js';
import { BucketCoalescer, OwnAccessKeys } from '../../shared/watch/coalesce.js';
import type { RunOutcome, WatchSummary } from '../../shared/watch/types.js';
import { watchEvents } from '../../shared/watch/watch.js';

const coalescer = new BucketCoalescer<RunOutcome>();
const ownKeys = new OwnAccessKeys();

/** The Function Compute Node.js 20 handler: `(event, context) => summary`; throws only to be retried. */
export const handler = fcFunction<WatchSummary>({
  name: 'bucket-watch',
  label: 'bucket watch',
  async run(event, inv) {
    ownKeys.remember(inv.credentials.accessKeyId);
    const rt = inv.runtime();
    const loaded = await inv.policy();
    const location = inv.settings.reportLocation;
    return watchEvents(
      {
        ...rt,
        logger: inv.log,
        coalescer,
        ownKeys,
        // Run reports go beside the timer's, never over its latest.json (the drift baseline).
        ...(location ? { store: storeFor(`${location.replace(/\/+$/, '')}/watch`, rt.oss) } : {}),
        alerts: { config: inv.alerts(loaded), env: process.env },
      },
      {
        policy: loaded,
        events: event,
        accountId: inv.context.accountId,
        dryRun: inv.settings.dryRun,
        deadline: inv.deadlineMs,
        requestId: inv.context.requestId,
      },
    );
  },
  retryable(summary) {
    if (!summary.retryableFailure) return undefined;
    const failed = summary.results.filter((r) => r.status === 'error').map((r) => `${r.region}/${r.bucket}`);
    return `retryable cloud error on ${failed.join(', ')}`;
  },
});
