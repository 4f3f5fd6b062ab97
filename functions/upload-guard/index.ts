/**
 * upload-guard: the OSS-triggered Function Compute function. Thin: the wrapper (shared/entry/fc-function.ts)
 * builds the dependencies once per instance and loads the policy once per instance (OSS_SSE_GUARD_POLICY);
 * this file runs the guard on the event and returns its summary.
 *
 * Bad input (malformed JSON, missing fields, unknown event names, buckets outside the policy) is counted
 * in the summary and the invocation succeeds, so Function Compute does not retry it. The invocation fails
 * only when a retryable cloud error happened (throttling, 5xx, network) or the setup itself is broken (a
 * bad policy or setting): then Function Compute's retries are what we want.
 */

import { objectGateway } from '../../shared/cloud/oss-objects.js';
import { fcFunction } from '../../shared/entry/fc-function.js';
import { objectAlerter } from '../../shared/objects/alerts.js';
import { guardObjects } from '../../shared/objects/guard.js';
import { OwnWrites } from '../../shared/objects/own-writes.js';
import type { GuardSummary } from '../../shared/objects/types.js';

/** Versions this instance wrote, so the event of its own copy never starts another one. */
const ownWrites = new OwnWrites();

/** The Function Compute Node.js 20 handler: `(event, context) => summary`; throws only to be retried. */
export const handler = fcFunction<GuardSummary>({
  name: 'upload-guard',
  label: 'upload guard',
  async run(event, inv) {
    const loaded = await inv.policy();
    const rt = inv.runtime();
    return guardObjects(
      {
        oss: objectGateway(rt.oss),
        kms: rt.kms,
        logger: inv.log,
        ownWrites,
        alert: objectAlerter(inv.alerts(loaded), process.env, inv.log),
      },
      { policy: loaded.policy, events: event, accountId: inv.context.accountId },
    );
  },
  retryable(summary) {
    if (!summary.retryableFailure) return undefined;
    const failed = summary.findings.filter((f) => f.error?.retryable).map((f) => `${f.bucket}/${f.key}`);
    return `retryable cloud error on ${failed.join(', ')}`;
  },
});
