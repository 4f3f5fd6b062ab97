import { describe, expect, it } from 'vitest';
import { alertsConfigFromEnv, alertsSchema } from '../../shared/alerts/schema.js';
import { ConfigError } from '../../shared/errors.js';
import { formatIssues } from '../../shared/policy/load.js';

const problems = (input: unknown) => {
  const r = alertsSchema.safeParse(input);
  return r.success ? [] : formatIssues(r.error.issues);
};

describe('alertsSchema', () => {
  it('accepts sinks whose secrets are named by environment variable', () => {
    // Prepare
    const input = {
      minSeverity: 'critical',
      webhook: { url: 'https://hooks.example.com/x', secretEnv: 'OSS_SSE_GUARD_WEBHOOK_SECRET' },
      dingtalk: { urlEnv: 'OSS_SSE_GUARD_DINGTALK_URL', secretEnv: 'OSS_SSE_GUARD_DINGTALK_SECRET' },
    };

    // Act
    const result = alertsSchema.safeParse(input);

    // Assess
    expect(result.success).toBe(true);
  });

  it('rejects a secret written inline in the policy', () => {
    // Prepare
    const input = { webhook: { url: 'https://hooks.example.com/x', secret: 'hunter2-hunter2' } };

    // Act
    const found = problems(input);

    // Assess
    expect(found).toEqual([
      'webhook.secret: is not allowed in the policy: put it in an environment variable named by secretEnv',
    ]);
    expect(found.join()).not.toContain('hunter2');
  });

  it('names each problem by its path', () => {
    // Prepare
    const input = {
      webhook: { url: 'ftp://example.com', secretEnv: 'lower-case' },
      dingtalk: {},
      minSeverity: 'loud',
      email: {},
    };

    // Act
    const found = problems(input);

    // Assess
    expect(found).toEqual([
      'webhook.url: must be an http(s) URL without user:password',
      'webhook.secretEnv: must be an environment variable name such as OSS_SSE_GUARD_WEBHOOK_SECRET',
      'dingtalk: needs exactly one of url, urlEnv',
      'minSeverity: must be one of info, warning, critical',
      'email: unknown key',
    ]);
  });
});

describe('alertsConfigFromEnv', () => {
  it('builds sinks from the OSS_SSE_GUARD_* variables, naming rather than copying the secrets', () => {
    // Prepare
    const env = {
      OSS_SSE_GUARD_DINGTALK_URL: 'https://oapi.dingtalk.com/robot/send?access_token=t0ken',
      OSS_SSE_GUARD_DINGTALK_SECRET: 'SECabc',
    };

    // Act
    const config = alertsConfigFromEnv(env);

    // Assess
    expect(config).toEqual({
      dingtalk: { urlEnv: 'OSS_SSE_GUARD_DINGTALK_URL', secretEnv: 'OSS_SSE_GUARD_DINGTALK_SECRET' },
    });
  });

  it('returns nothing without a sink and a ConfigError for an unknown severity', () => {
    // Prepare
    const bad = { OSS_SSE_GUARD_WEBHOOK_URL: 'https://x.example', OSS_SSE_GUARD_ALERT_MIN_SEVERITY: 'loud' };

    // Act
    const none = alertsConfigFromEnv({});

    // Assess
    expect(none).toBeUndefined();
    expect(() => alertsConfigFromEnv(bad)).toThrow(ConfigError);
  });
});
