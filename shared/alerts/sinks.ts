/**
 * Turning the `alerts` configuration into sinks: URLs and secrets are read from the environment here,
 * once, and from then on live only inside the sinks. A sink that cannot be used (a named variable is not
 * set) does not stop anything: it becomes a failed `DeliveryRecord`.
 */
import type { AlertSink, DeliveryRecord } from './deliver.js';
import { dingtalkSink } from './dingtalk.js';
import { redactUrl } from './redact.js';
import type { AlertsConfig, SinkConfig } from './schema.js';
import { webhookSink } from './webhook.js';

export interface BuiltSinks {
  sinks: AlertSink[];
  /** Sinks that could not be built, as failed records (attempts 0); secret-free. */
  problems: DeliveryRecord[];
}

function isHttpUrl(value: string): boolean {
  try {
    const u = new URL(value);
    return u.protocol === 'https:' || u.protocol === 'http:';
  } catch {
    return false;
  }
}

/** Builds the configured sinks, reading `urlEnv` and `secretEnv` from `env` (the process or FC environment). */
export function buildSinks(config: AlertsConfig | undefined, env: NodeJS.ProcessEnv): BuiltSinks {
  const out: BuiltSinks = { sinks: [], problems: [] };
  const kinds: Array<[DeliveryRecord['sink'], SinkConfig | undefined, typeof webhookSink]> = [
    ['webhook', config?.webhook, webhookSink],
    ['dingtalk', config?.dingtalk, dingtalkSink],
  ];
  for (const [name, cfg, make] of kinds) {
    if (!cfg) continue;
    const url = cfg.url ?? (cfg.urlEnv ? env[cfg.urlEnv] : undefined);
    const secret = cfg.secretEnv ? env[cfg.secretEnv] : undefined;
    const fail = (error: string) =>
      out.problems.push({
        sink: name,
        target: url ? redactUrl(url) : '',
        messageId: '',
        kind: 'none',
        ok: false,
        attempts: 0,
        error,
      });
    if (!url) fail(`environment variable ${cfg.urlEnv} is not set; expected the ${name} URL`);
    else if (!isHttpUrl(url)) fail(`environment variable ${cfg.urlEnv} is not an http(s) URL`);
    else if (cfg.secretEnv && !secret)
      fail(`environment variable ${cfg.secretEnv} is not set; expected the ${name} secret`);
    else out.sinks.push(make(url, secret));
  }
  return out;
}
