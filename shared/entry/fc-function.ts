/**
 * One wrapper for every Function Compute entry (Middy's core is the model: one place owns the plumbing,
 * the timeout and the error policy). It owns, per instance: the logger, the runtime (gateways rebuilt when
 * the context's STS credentials rotate) and the loaded policy; per invocation: the request-scoped logger,
 * the settings, the credentials, the deadline, the alerts configuration, and the retry decision. A
 * function's `index.ts` then says only what it parses and what it runs.
 *
 * The retry decision: Function Compute retries an invocation that throws. So the wrapper throws only when
 * the run says a retryable failure happened (throttling, 5xx, network, deadline) or the setup is broken
 * (a bad policy or setting); bad input is counted in the summary and the invocation succeeds.
 */
import { alertsConfigFromEnv } from '../alerts/schema.js';
import type { Credentials } from '../cloud/credentials.js';
import { credentialsFromContext } from '../cloud/credentials.js';
import type { FcContext } from '../cloud/fc-context.js';
import { type Settings, settingsFromEnv } from '../config.js';
import { createLogger, type Logger } from '../log.js';
import type { AlertsConfig } from '../policy/alerts-schema.js';
import { PolicyCache } from '../policy/cache.js';
import type { LoadedPolicy } from '../policy/load.js';
import { type Runtime, RuntimeCache } from '../runtime.js';

/** What one invocation gets from the wrapper. */
export interface Invocation {
  /** The logger for this invocation (`requestId` bound). */
  log: Logger;
  settings: Settings;
  credentials: Credentials;
  context: FcContext;
  /** Epoch milliseconds by which the invocation must have returned. */
  deadlineMs: number;
  /** The instance's runtime (gateways), built once and rebuilt when the STS credentials rotate. */
  runtime(): Runtime;
  /** The policy (OSS_SSE_GUARD_POLICY), loaded once per instance; a failed load is logged and thrown. */
  policy(): Promise<LoadedPolicy>;
  /** The alerts configuration: the policy's `alerts` section, else the environment's. */
  alerts(policy: LoadedPolicy): AlertsConfig | undefined;
}

export interface FunctionSpec<R> {
  /** The function's name, bound into every log line as `fn`. */
  name: string;
  /** How log and error messages name it (`upload guard`); defaults to `name`. */
  label?: string;
  run(event: Buffer | string, inv: Invocation): Promise<R>;
  /**
   * Whether the result asks Function Compute to retry: what failed (`retryable cloud error on b/k`), or
   * undefined. Thrown as an Error, so Function Compute's retries (and its logs) see it.
   */
  retryable?(result: R): string | undefined;
  /** Logged (with the error's message only) when `run` throws; the error is then re-thrown to be retried. */
  failureMessage?: string;
}

/** Builds the Function Compute Node.js 20 handler `(event, context) => result` for a function. */
export function fcFunction<R>(
  spec: FunctionSpec<R>,
): (event: Buffer | string, context: FcContext) => Promise<R> {
  let baseLogger: Logger | undefined;
  const runtimes = new RuntimeCache();
  const policies = new PolicyCache();
  return async (event, context) => {
    baseLogger ??= createLogger({ base: { fn: spec.name } });
    const base = baseLogger;
    const log = base.child({ requestId: context.requestId });
    const settings = settingsFromEnv();
    const credentials = credentialsFromContext(context);
    const inv: Invocation = {
      log,
      settings,
      credentials,
      context,
      deadlineMs: context.deadlineMs ?? Date.now() + context.function.timeout * 1000,
      runtime: () => runtimes.get(settings, credentials, base),
      policy: async () => {
        try {
          return await policies.get(settings.policyRef, (bucket, key) =>
            inv.runtime().oss.getObjectText(bucket, key),
          );
        } catch (err) {
          log.error({ err: (err as Error).message }, `${spec.label ?? spec.name} policy could not be loaded`);
          throw err;
        }
      },
      alerts: (loaded) => loaded.policy.alerts ?? alertsConfigFromEnv(process.env),
    };
    let result: R;
    try {
      result = await spec.run(event, inv);
    } catch (err) {
      if (spec.failureMessage) log.error({ err: (err as Error).message }, spec.failureMessage);
      throw err;
    }
    const retry = spec.retryable?.(result);
    if (retry) throw new Error(`${spec.label ?? spec.name}: ${retry}; failing so Function Compute retries`);
    return result;
  };
}
