/**
 * Policy v1 requirement fields `keyProtection: hsm` and `keyOrigin: external` (DESIGN.md section 7):
 * strict validation with paths, and the pure judgement of a key's facts against them.
 */
import { describe, expect, it } from 'vitest';
import { isServiceKey } from '../../shared/cloud/kms.js';
import { PolicyError } from '../../shared/errors.js';
import { evaluate } from '../../shared/policy/evaluate.js';
import type { KeyView } from '../../shared/policy/keys.js';
import { policyFromText } from '../../shared/policy/load.js';

function problemsOf(text: string): string[] {
  try {
    policyFromText(text, 'test.yaml');
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  throw new Error('expected the policy to be refused');
}

describe('keyProtection and keyOrigin validation', () => {
  it('accepts them on a customer-CMK requirement', () => {
    // Act
    const { policy } = policyFromText(
      'version: 1\ndefaults: { sse: { minimum: kms-cmk, keyProtection: hsm, keyOrigin: external } }\nrules:\n  - { id: a, sse: { algorithm: KMS, kmsKeyId: alias/x, keyProtection: hsm } }',
      'test.yaml',
    );

    // Assess
    expect(policy.defaults.sse).toMatchObject({ keyProtection: 'hsm', keyOrigin: 'external' });
    expect(policy.rules[0]?.sse?.keyProtection).toBe('hsm');
  });

  it('refuses other values and requirements that cannot name a customer CMK, with paths', () => {
    // Act
    const problems = problemsOf(`version: 1
defaults: { sse: { minimum: kms, keyProtection: hsm } }
rules:
  - { id: a, sse: { algorithm: KMS, keyOrigin: external } }
  - { id: b, sse: { minimum: kms-cmk, keyProtection: HSM, keyOrigin: byok } }
objects:
  sse: { algorithm: AES256, keyProtection: hsm }
`);

    // Assess
    expect(problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^defaults\.sse\.keyProtection: needs a customer CMK/),
        expect.stringMatching(/^rules\[0\]\.sse\.keyOrigin: needs a customer CMK/),
        expect.stringMatching(/^rules\[1\]\.sse\.keyProtection: must be hsm/),
        expect.stringMatching(/^rules\[1\]\.sse\.keyOrigin: must be external/),
        expect.stringMatching(/^objects\.sse\.keyProtection: needs a customer CMK/),
      ]),
    );
  });
});

describe('key judgement (pure)', () => {
  const bucket = { name: 'b', region: 'cn-hangzhou' };
  const policy = policyFromText(
    'version: 1\ndefaults: { sse: { minimum: kms-cmk, keyProtection: hsm } }',
    'test.yaml',
  ).policy;
  const observed = { algorithm: 'KMS' as const, kmsKeyId: 'k1' };
  const view =
    (facts: { state?: string; region?: string; protectionLevel?: string; serviceKey?: boolean }): KeyView =>
    (ref) =>
      ref === 'k1'
        ? {
            found: true,
            facts: { keyId: 'k1', state: 'Enabled', region: 'cn-hangzhou', protectionLevel: 'HSM', ...facts },
          }
        : undefined;

  it('passes an Enabled HSM key in the region, fails a SOFTWARE one, and reads a service key as kms', () => {
    // Act
    const hsm = evaluate(policy, bucket, observed, { now: new Date(0), keys: view({}) });
    const soft = evaluate(policy, bucket, observed, {
      now: new Date(0),
      keys: view({ protectionLevel: 'SOFTWARE' }),
    });
    const service = evaluate(policy, bucket, observed, {
      now: new Date(0),
      keys: view({ serviceKey: true }),
    });

    // Assess
    expect(hsm.status).toBe('compliant');
    expect(soft.reason).toBe('KMS key "k1" has protection level SOFTWARE; expected HSM');
    expect(service.reason).toBe('is kms (KMS); expected at least kms-cmk');
  });

  it('tells a service key by its Creator or its reserved alias', () => {
    // Assess
    expect(isServiceKey('some-id', 'OSS')).toBe(true);
    expect(isServiceKey('alias/acs/oss', undefined)).toBe(true);
    expect(isServiceKey('some-id', '1234567890123456')).toBe(false);
    expect(isServiceKey('alias/acs-like', '1234567890123456')).toBe(false);
  });
});
