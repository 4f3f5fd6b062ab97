import { describe, expect, it } from 'vitest';
import { keyCheckId, keysToCheck, plan } from '../../shared/audit/plan.js';
import type { SseConfig } from '../../shared/model.js';
import { evaluate } from '../../shared/policy/evaluate.js';
import { policyFromText } from '../../shared/policy/load.js';

const now = new Date('2026-11-22T00:00:00Z');
const policyOf = (text: string) => policyFromText(text, 'test.yaml').policy;
const bucket = (name: string, region = 'cn-hangzhou', tags?: Record<string, string>) => ({
  name,
  region,
  tags,
});

const AES: SseConfig = { algorithm: 'AES256' };
const SM4: SseConfig = { algorithm: 'SM4' };
const KMS: SseConfig = { algorithm: 'KMS' };
const CMK = (id: string): SseConfig => ({ algorithm: 'KMS', kmsKeyId: id });

describe('evaluation', () => {
  it('treats no encryption as non-compliant under the empty policy, report only', () => {
    const v = evaluate(policyOf('version: 1'), bucket('a'), null, { now });
    expect(v).toMatchObject({
      status: 'noncompliant',
      ruleId: 'defaults',
      reason: 'no default encryption',
      remediate: false,
    });
    expect(v.target).toBeUndefined();
    expect(v.cis).toEqual(['5.8']);
  });

  it('counts stronger encryption as compliant under at-least', () => {
    const p = policyOf('version: 1\ndefaults: { sse: { algorithm: AES256 } }');
    for (const observed of [AES, SM4, KMS, CMK('k1')]) {
      expect(evaluate(p, bucket('a'), observed, { now }).status).toBe('compliant');
    }
  });

  it('needs an exact match when the rule says exact', () => {
    const p = policyOf('version: 1\ndefaults: { sse: { algorithm: AES256 }, match: exact, remediate: true }');
    const v = evaluate(p, bucket('a'), KMS, { now });
    expect(v.status).toBe('noncompliant');
    expect(v.reason).toBe('uses KMS; expected exactly AES256');
    // exact is the only way remediation may replace KMS by AES256
    expect(v.target).toEqual(AES);
  });

  it('picks the first matching rule by glob, region and tags', () => {
    const p = policyOf(`version: 1
rules:
  - { id: tagged, buckets: ["prod-*"], tags: { env: prod }, sse: { algorithm: KMS } }
  - { id: shanghai, regions: [cn-shanghai], sse: { algorithm: SM4 } }
  - { id: prod, buckets: ["prod-*"] }
`);
    expect(evaluate(p, bucket('prod-a', 'cn-shanghai', { env: 'prod' }), null, { now }).ruleId).toBe(
      'tagged',
    );
    expect(evaluate(p, bucket('prod-a', 'cn-shanghai', { env: 'dev' }), null, { now }).ruleId).toBe(
      'shanghai',
    );
    expect(evaluate(p, bucket('prod-a', 'cn-hangzhou'), null, { now }).ruleId).toBe('prod');
    expect(evaluate(p, bucket('dev-a', 'cn-hangzhou'), null, { now }).ruleId).toBe('defaults');
  });

  it('requires the named CMK, resolving aliases and ARNs', () => {
    const p = policyOf(
      'version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: alias/prod }, remediate: true }',
    );
    const resolveKey = (ref: string) => (ref === 'alias/prod' ? 'key-1' : undefined);
    expect(evaluate(p, bucket('a'), CMK('key-1'), { now, resolveKey }).status).toBe('compliant');
    expect(
      evaluate(p, bucket('a'), CMK('acs:kms:cn-hangzhou:123:key/key-1'), { now, resolveKey }).status,
    ).toBe('compliant');
    const wrong = evaluate(p, bucket('a'), CMK('key-2'), { now, resolveKey });
    expect(wrong).toMatchObject({
      status: 'noncompliant',
      reason: 'uses KMS key key-2; expected key alias/prod',
    });
    expect(wrong.target).toEqual(CMK('alias/prod'));
    expect(wrong.cis).toEqual(['5.8', '5.9']);
  });

  it('keeps an existing CMK when the rule names none', () => {
    const p = policyOf(
      'version: 1\ndefaults: { sse: { algorithm: KMS, kmsDataEncryption: SM4 }, remediate: true }',
    );
    const v = evaluate(p, bucket('a'), CMK('mine'), { now });
    expect(v.status).toBe('noncompliant');
    expect(v.target).toEqual({ algorithm: 'KMS', kmsKeyId: 'mine', kmsDataEncryption: 'SM4' });
  });

  it('strengthens a KMS bucket asked for SM4 to KMS with SM4 data encryption rather than weakening it', () => {
    const p = policyOf('version: 1\ndefaults: { sse: { algorithm: SM4 }, remediate: true }');
    const v = evaluate(p, bucket('a'), CMK('mine'), { now });
    expect(v.target).toEqual({ algorithm: 'KMS', kmsKeyId: 'mine', kmsDataEncryption: 'SM4' });
    expect(evaluate(p, bucket('a'), v.target ?? null, { now }).status).toBe('compliant');
  });

  it('treats minimum levels as a ladder', () => {
    const p = policyOf('version: 1\ndefaults: { sse: { minimum: kms }, remediate: true }');
    expect(evaluate(p, bucket('a'), AES, { now })).toMatchObject({ status: 'noncompliant', target: KMS });
    expect(evaluate(p, bucket('a'), KMS, { now }).status).toBe('compliant');
    expect(evaluate(p, bucket('a'), CMK('x'), { now }).status).toBe('compliant');
    const cmk = policyOf(
      'version: 1\ndefaults: { sse: { minimum: kms-cmk, kmsKeyId: k9 }, remediate: true }',
    );
    expect(evaluate(cmk, bucket('a'), CMK('other'), { now }).status).toBe('compliant');
    expect(evaluate(cmk, bucket('a'), KMS, { now }).target).toEqual(CMK('k9'));
  });

  it('exempts until the end of the given day, then says the exemption expired', () => {
    const p = policyOf(`version: 1
defaults: { remediate: true }
rules:
  - { id: legacy, buckets: ["legacy-*"], exempt: { reason: "SEC-42", until: 2026-11-21 } }
  - { id: forever, buckets: ["keep-*"], exempt: { reason: "vendor bucket" } }
`);
    const during = evaluate(p, bucket('legacy-1'), null, { now: new Date('2026-11-21T23:00:00Z') });
    expect(during).toMatchObject({
      status: 'exempt',
      reason: 'exempt: SEC-42 (until 2026-11-21)',
      remediate: false,
    });
    const after = evaluate(p, bucket('legacy-1'), null, { now });
    expect(after).toMatchObject({
      status: 'noncompliant',
      reason: 'exemption expired on 2026-11-21; no default encryption',
    });
    expect(after.target).toEqual(AES);
    expect(evaluate(p, bucket('keep-1'), null, { now }).status).toBe('exempt');
  });
});

describe('planning', () => {
  const p = policyOf(`version: 1
defaults: { sse: { algorithm: KMS, kmsKeyId: alias/k }, remediate: true }
rules:
  - { id: report, buckets: ["r-*"], remediate: false }
  - { id: aes, buckets: ["a-*"], sse: { algorithm: AES256 } }
  - { id: ex, buckets: ["x-*"], exempt: { reason: why } }
`);
  const verdicts = [
    evaluate(p, bucket('a-1'), null, { now }),
    evaluate(p, bucket('r-1'), null, { now }),
    evaluate(p, bucket('x-1'), null, { now }),
    evaluate(p, bucket('k-1', 'cn-hangzhou'), null, { now }),
    evaluate(p, bucket('k-2', 'cn-beijing'), null, { now }),
    evaluate(p, bucket('a-2'), null, { now }),
    evaluate(p, bucket('a-3'), AES, { now }),
  ];

  it('lists the keys to pre-flight per region', () => {
    expect(keysToCheck(verdicts)).toEqual([
      { region: 'cn-hangzhou', keyRef: 'alias/k' },
      { region: 'cn-beijing', keyRef: 'alias/k' },
    ]);
  });

  it('blocks targets whose key failed the pre-flight, caps the rest, leaves others untouched', () => {
    // Prepare
    const keyChecks = new Map([
      [keyCheckId('cn-hangzhou', 'alias/k'), { ok: true as const, keyId: 'key-1' }],
      [
        keyCheckId('cn-beijing', 'alias/k'),
        { ok: false as const, reason: 'key is Disabled; expected Enabled' },
      ],
    ]);

    // Act
    const decisions = plan(verdicts, { dryRun: false, maxRemediationsPerRun: 2, keyChecks });

    // Assess
    expect(decisions.map((d) => d.kind)).toEqual([
      'apply',
      'none',
      'none',
      'apply',
      'blocked',
      'capped',
      'none',
    ]);
    expect(decisions[4]).toEqual({ kind: 'blocked', reason: 'key is Disabled; expected Enabled' });
  });

  it('plans would-apply in a dry run, with the same cap', () => {
    const decisions = plan(verdicts, { dryRun: true, maxRemediationsPerRun: 1, keyChecks: new Map() });
    expect(decisions.map((d) => d.kind)).toEqual([
      'would-apply',
      'none',
      'none',
      'blocked',
      'blocked',
      'capped',
      'none',
    ]);
  });
});
