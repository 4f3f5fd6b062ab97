/**
 * The CLI runner's one error-to-exit mapping (cli/run.ts) and the flag helper (cli/flags.ts) on literal
 * errors: which code and which line each kind of error gives, and that secrets of the environment are
 * masked wherever a message carries them.
 */
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { choices, flagName, parseFlags, wholeNumber } from '../../cli/flags.js';
import { envScrubber, errorExit } from '../../cli/run.js';
import { CloudError, ConfigError, PolicyError } from '../../shared/errors.js';
import { IacInputError } from '../../shared/iac/types.js';

const SPEC = { failure: 'the audit could not run', failedCode: 3 };
const none = (t: string) => t;

describe('the CLI error-to-exit mapping', () => {
  it('gives each kind of error its line and exit code', () => {
    // Prepare
    const policy = new PolicyError('p.yaml', ['defaults.sse: bad', 'rules[0].id: missing']);
    const usage = new ConfigError('--format: "pdf" is not one of table');
    const input = new IacInputError('plan.json', 'is neither a Terraform plan JSON nor a ROS template');
    const cloud = new CloudError('OSS ListBuckets: AccessDenied (403)', {
      code: 'AccessDenied',
      status: 403,
      retryable: false,
    });

    // Act
    const results = [policy, usage, input, cloud, new TypeError('x is undefined'), 'thrown text'].map((e) =>
      errorExit(e, SPEC, none),
    );

    // Assess
    expect(results).toEqual([
      {
        lines: [
          'Policy p.yaml is invalid: defaults.sse: bad',
          'Policy p.yaml is invalid: rules[0].id: missing',
        ],
        code: 2,
      },
      { lines: ['error: --format: "pdf" is not one of table'], code: 2 },
      { lines: ['error: plan.json: is neither a Terraform plan JSON nor a ROS template'], code: 2 },
      { lines: ['error: the audit could not run: OSS ListBuckets: AccessDenied (403)'], code: 3 },
      { lines: ['error: the audit could not run: x is undefined'], code: 3 },
      { lines: ['error: the audit could not run: thrown text'], code: 3 },
    ]);
  });

  it('masks the value of every secret-named environment variable in what it prints', () => {
    // Prepare
    const scrub = envScrubber({
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'AkSecretValue123',
      ALIBABA_CLOUD_SECURITY_TOKEN: 'StsTokenValue456',
      OSS_SSE_GUARD_WEBHOOK_SECRET: 'HookSecretValue789',
      ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIvisibleId',
    });
    const err = new Error('signed with AkSecretValue123 and StsTokenValue456 for LTAIvisibleId');

    // Act
    const { lines } = errorExit(err, SPEC, scrub);
    const policy = errorExit(new PolicyError('inline', ['alerts.secret: HookSecretValue789']), SPEC, scrub);

    // Assess
    expect(lines).toEqual([
      'error: the audit could not run: signed with [redacted] and [redacted] for LTAIvisibleId',
    ]);
    expect(policy.lines).toEqual(['Policy inline is invalid: alerts.secret: [redacted]']);
  });
});

describe('flags through one schema', () => {
  it('names the first bad flag in kebab case and quotes its value', () => {
    // Prepare
    const schema = z.object({
      format: choices(['table', 'json'] as const, 'format').default(['table']),
      deadlineSeconds: wholeNumber(1, 60).optional(),
    });

    // Act
    const ok = parseFlags(schema, { format: 'json, table', deadlineSeconds: '30' });
    const empty = () => parseFlags(schema, { format: ' , ' });
    const bad = () => parseFlags(schema, { deadlineSeconds: '1.5' });

    // Assess
    expect(ok).toEqual({ format: ['json', 'table'], deadlineSeconds: 30 });
    expect(empty).toThrow(new ConfigError('--format: give at least one format'));
    expect(bad).toThrow(new ConfigError('--deadline-seconds: "1.5" must be a whole number from 1 to 60'));
    expect(flagName('inventoryMaxAge')).toBe('--inventory-max-age');
  });
});
