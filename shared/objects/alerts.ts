/**
 * The upload guard's alert path: the findings of one invocation that need a word become one batched
 * message per invocation, sent through the one notify path the audit's alerts take.
 */
import type { Logger } from 'pino';
import type { DeliveryOptions } from '../alerts/deliver.js';
import { type ObjectVerdict as AlertVerdict, uploadAlerts } from '../alerts/messages.js';
import { notify } from '../alerts/notify.js';
import type { AlertsConfig } from '../alerts/schema.js';
import type { ObjectFinding } from './types.js';

/** Maps a guard finding to the alert vocabulary. */
export function toAlertVerdict(f: ObjectFinding): AlertVerdict {
  const verdict: AlertVerdict['verdict'] =
    f.action.kind === 'encrypted'
      ? 'remediated'
      : f.verdict === 'error'
        ? 'error'
        : f.verdict === 'encrypted' || f.verdict === 'missing'
          ? 'compliant'
          : 'noncompliant';
  return {
    bucket: f.bucket,
    key: f.key,
    region: f.region,
    ...(f.size !== undefined ? { size: f.size } : {}),
    verdict,
    reason: f.reason,
  };
}

/** An `alert` dependency for `guardObjects`, or undefined when no sink is configured. */
export function objectAlerter(
  config: AlertsConfig | undefined,
  env: NodeJS.ProcessEnv,
  logger: Logger,
  delivery: DeliveryOptions = {},
): ((findings: ObjectFinding[]) => Promise<void>) | undefined {
  if (!config) return undefined;
  return async (findings) => {
    const records = await notify(
      uploadAlerts(findings.map(toAlertVerdict)),
      { config, env, delivery },
      logger,
    );
    // The guard keeps no report, so every record (an unusable sink included) is a log line.
    for (const r of records) {
      const line = {
        sink: r.sink,
        target: r.target,
        ok: r.ok,
        attempts: r.attempts,
        status: r.status,
        error: r.error,
      };
      if (r.ok) logger.info(line, 'alert delivered');
      else logger.warn(line, 'alert not delivered');
    }
  };
}
