/**
 * The upload guard's alert path: the findings of one invocation that need a word become one batched
 * message per invocation, sent through the same sinks as the audit's alerts.
 */
import type { Logger } from 'pino';
import { type DeliveryOptions, sendAlerts } from '../alerts/deliver.js';
import { type ObjectVerdict as AlertVerdict, uploadAlerts } from '../alerts/messages.js';
import type { AlertsConfig } from '../alerts/schema.js';
import { buildSinks } from '../alerts/sinks.js';
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
    const { sinks, problems } = buildSinks(config, env);
    const messages = uploadAlerts(findings.map(toAlertVerdict));
    const records = await sendAlerts(messages, sinks, {
      ...delivery,
      minSeverity: config.minSeverity,
      logger,
    });
    for (const r of [...problems, ...records]) {
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
