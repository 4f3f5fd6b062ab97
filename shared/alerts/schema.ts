/**
 * Alert severities and the alerts configuration taken from the environment. The policy file's
 * `alerts` section (its schema) belongs to the policy layer: shared/policy/alerts-schema.ts.
 */
import { ConfigError } from '../errors.js';
import {
  type AlertsConfig,
  alertsSchema,
  SEVERITIES,
  type Severity,
  type SinkConfig,
} from '../policy/alerts-schema.js';

export { type AlertsConfig, alertsSchema, SEVERITIES, type Severity, type SinkConfig };

/** Whether `severity` is at least `min`. */
export function atLeast(severity: Severity, min: Severity): boolean {
  return SEVERITIES.indexOf(severity) >= SEVERITIES.indexOf(min);
}

/**
 * The alerts configuration from the environment alone, for deployments without an `alerts` section:
 * `OSS_SSE_GUARD_WEBHOOK_URL` (+ `OSS_SSE_GUARD_WEBHOOK_SECRET`), `OSS_SSE_GUARD_DINGTALK_URL`
 * (+ `OSS_SSE_GUARD_DINGTALK_SECRET`), `OSS_SSE_GUARD_ALERT_MIN_SEVERITY`. Returns undefined when no sink is set.
 */
export function alertsConfigFromEnv(env: NodeJS.ProcessEnv): AlertsConfig | undefined {
  const sink = (name: 'WEBHOOK' | 'DINGTALK'): SinkConfig | undefined =>
    env[`OSS_SSE_GUARD_${name}_URL`]
      ? {
          urlEnv: `OSS_SSE_GUARD_${name}_URL`,
          ...(env[`OSS_SSE_GUARD_${name}_SECRET`] ? { secretEnv: `OSS_SSE_GUARD_${name}_SECRET` } : {}),
        }
      : undefined;
  const webhook = sink('WEBHOOK');
  const dingtalk = sink('DINGTALK');
  if (!webhook && !dingtalk) return undefined;
  const min = env.OSS_SSE_GUARD_ALERT_MIN_SEVERITY;
  const parsed = alertsSchema.safeParse({
    ...(webhook ? { webhook } : {}),
    ...(dingtalk ? { dingtalk } : {}),
    ...(min ? { minSeverity: min } : {}),
  });
  if (!parsed.success) {
    // Only the severity and the URL variables' names can be wrong here; neither is a secret.
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `Alerts configuration from the environment: ${issue?.path.join('.')}: ${issue?.message}`,
    );
  }
  return parsed.data;
}
