/**
 * Alerts need no RAM action, but they need their environment: the variables the policy's sinks name for
 * their URL and secret must be set where the tool runs. Names only; never a value.
 */
import type { AlertsConfig } from '../policy/alerts-schema.js';
import type { Check } from './types.js';

export function alertChecks(config: AlertsConfig | undefined, env: NodeJS.ProcessEnv): Check[] {
  if (!config) return [];
  const checks: Check[] = [];
  for (const name of ['webhook', 'dingtalk'] as const) {
    const sink = config[name];
    if (!sink) continue;
    const vars = [sink.urlEnv, sink.secretEnv].filter((v): v is string => Boolean(v));
    const unset = vars.filter((v) => !env[v]?.trim());
    checks.push({
      section: 'alerts',
      status: unset.length === 0 ? 'ok' : 'missing',
      title:
        unset.length === 0
          ? `${name}: ${sink.url ? 'URL in the policy' : `URL from ${sink.urlEnv}`}${sink.secretEnv ? `, secret from ${sink.secretEnv}` : ', unsigned'}`
          : `${name}: ${unset.join(', ')} ${unset.length > 1 ? 'are' : 'is'} not set in this environment`,
    });
  }
  return checks;
}
