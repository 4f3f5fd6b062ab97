/**
 * upload-guard: the OSS-triggered Function Compute function. Thin: build the dependencies once per
 * instance (module scope, lazily; rebuilt when the context's STS credentials rotate), load the policy once
 * per instance (OSS_SSE_GUARD_POLICY), run the guard on the event, return its summary.
 *
 * Bad input (malformed JSON, missing fields, unknown event names, buckets outside the policy) is counted
 * in the summary and the invocation succeeds, so Function Compute does not retry it. The invocation fails
 * only when a retryable cloud error happened (throttling, 5xx, network) or the setup itself is broken (a
 * bad policy or setting): then Function Compute's retries are what we want.
 */
import { alertsConfigFromEnv } from '../../shared/alerts/schema.js';
import { credentialsFromContext } from '../../shared/cloud/credentials.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import { settingsFromEnv } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/log.js';
import { objectAlerter } from '../../shared/objects/alerts.js';
import { guardObjects } from '../../shared/objects/guard.js';
import { OwnWrites } from '../../shared/objects/own-writes.js';
import type { GuardSummary } from '../../shared/objects/types.js';
import { PolicyCache } from '../../shared/policy/cache.js';
import type { LoadedPolicy } from '../../shared/policy/load.js';
import { RuntimeCache } from '../../shared/runtime.js';

let baseLogger: Logger | undefined;
const runtimes = new RuntimeCache();
const policies = new PolicyCache();
/** Versions this instance wrote, so the event of its own copy never starts another one. */
const ownWrites = new OwnWrites();

/** The Function Compute Node.js 20 handler: `(event, context) => summary`; throws only to be retried. */
export async function handler(event: Buffer | string, context: FcContext): Promise<GuardSummary> {
  baseLogger ??= createLogger({ base: { fn: 'upload-guard' } });
  const log = baseLogger.child({ requestId: context.requestId });
  const settings = settingsFromEnv();
  const credentials = credentialsFromContext(context);
  const rt = runtimes.get(settings, credentials, baseLogger);
  let loaded: LoadedPolicy;
  try {
    loaded = await policies.get(settings.policyRef, (bucket, key, max) =>
      rt.oss.getObjectBounded(bucket, key, max),
    );
  } catch (err) {
    log.error({ err: (err as Error).message }, 'upload guard policy could not be loaded');
    throw err;
  }
  const summary = await guardObjects(
    {
      oss: rt.oss,
      kms: rt.kms,
      logger: log,
      ownWrites,
      alert: objectAlerter(loaded.policy.alerts ?? alertsConfigFromEnv(process.env), process.env, log),
    },
    { policy: loaded.policy, events: event, accountId: context.accountId },
  );
  if (summary.retryableFailure) {
    const failed = summary.findings.filter((f) => f.error?.retryable).map((f) => `${f.bucket}/${f.key}`);
    throw new Error(
      `upload guard: retryable cloud error on ${failed.join(', ')}; failing so Function Compute retries`,
    );
  }
  return summary;
}
