/**
 * The one notify path: the audit, the bucket watch and the upload guard each say what to send (the
 * builders in messages.ts and change-messages.ts) and hand it here. This builds the configured sinks
 * (URLs and secrets from the environment), sends at or above the configured severity, and returns one
 * secret-free record per sink that could not be built and per delivery. Never rejects.
 */
import type { Logger } from '../log.js';
import { type DeliveryOptions, type DeliveryRecord, sendAlerts } from './deliver.js';
import type { AlertMessage } from './messages.js';
import type { AlertsConfig } from './schema.js';
import { buildSinks } from './sinks.js';

/** Where alerts go: the `alerts` configuration, the environment its `urlEnv`/`secretEnv` name, delivery knobs. */
export interface AlertsSetup {
  config: AlertsConfig | undefined;
  env: NodeJS.ProcessEnv;
  delivery?: DeliveryOptions;
}

/**
 * Sends `messages` to the sinks `alerts` configures. Nothing when no sink is configured; a sink that
 * cannot be built becomes a failed record (attempts 0) ahead of the deliveries.
 */
export async function notify(
  messages: readonly AlertMessage[],
  alerts: AlertsSetup,
  logger?: Logger,
): Promise<DeliveryRecord[]> {
  if (!alerts.config) return [];
  const { sinks, problems } = buildSinks(alerts.config, alerts.env);
  const sent = await sendAlerts(messages, sinks, {
    ...alerts.delivery,
    minSeverity: alerts.config.minSeverity,
    logger,
  });
  return [...problems, ...sent];
}
