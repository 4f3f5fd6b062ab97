/**
 * The IaC judgement, pure: it is the audit's evaluation run for every value an unknown input may take.
 * Literal planned buckets; policy fields that only the running account can tell (the `accounts`
 * selector of issue 17, `keyProtection` / `keyOrigin` of issue 13) are said to be checked at run time.
 */
import { describe, expect, it } from 'vitest';
import { judgeBucket } from '../../shared/iac/judge.js';
import { type IacBucket, known, unknown } from '../../shared/iac/types.js';
import { evaluate } from '../../shared/policy/evaluate.js';
import { policyFromText } from '../../shared/policy/load.js';
import type { Policy } from '../../shared/policy/schema.js';
import { NOW } from './helpers.js';

function bucket(over: Partial<IacBucket> = {}): IacBucket {
  return {
    file: 'main.plan.json',
    source: 'terraform-plan',
    address: 'alicloud_oss_bucket.b',
    resourceType: 'alicloud_oss_bucket',
    name: known('acme-prod-data'),
    region: known('cn-hangzhou'),
    tags: known({ env: 'prod' }),
    sse: { kind: 'config', config: { algorithm: 'KMS', kmsKeyId: 'key-1' } },
    notes: [],
    ...over,
  };
}

const policyOf = (text: string): Policy => policyFromText(text, 'p.yaml').policy;

/** A policy with fields added that later schema versions accept (issues 13 and 17), as their schemas would pass them. */
function withExtras(
  policy: Policy,
  rule: Record<string, unknown>,
  sse: Record<string, unknown> = {},
): Policy {
  const [first, ...rest] = policy.rules;
  if (!first) throw new Error('policy needs a rule');
  return {
    ...policy,
    rules: [{ ...first, ...rule, sse: { ...first.sse, ...sse } } as typeof first, ...rest],
  };
}

describe('IaC judgement', () => {
  it('gives the same verdict as the audit evaluation when everything is known', () => {
    // Prepare
    const policy = policyOf(
      'version: 1\nrules:\n  - { id: prod, buckets: ["acme-prod-*"], sse: { algorithm: KMS, kmsKeyId: "acs:kms:cn-hangzhou:1:key/key-1" } }\n',
    );
    const b = bucket();

    // Act
    const iac = judgeBucket(policy, b, { now: NOW });
    const audit = evaluate(
      policy,
      { name: 'acme-prod-data', region: 'cn-hangzhou', tags: { env: 'prod' } },
      { algorithm: 'KMS', kmsKeyId: 'key-1' },
      { now: NOW },
    );

    // Assess
    expect(iac).toMatchObject({
      status: audit.status,
      ruleId: audit.ruleId,
      reason: audit.reason,
      requirement: audit.requirement,
    });
    expect(iac.status).toBe('compliant');
  });

  it('applies an expired exemption as the audit does: the requirement applies again', () => {
    // Prepare
    const policy = policyOf(
      'version: 1\nrules:\n  - { id: old, buckets: ["acme-*"], exempt: { reason: "SEC-1", until: 2026-01-31 } }\n',
    );

    // Act
    const v = judgeBucket(policy, bucket({ sse: { kind: 'config', config: null } }), { now: NOW });

    // Assess
    expect(v.status).toBe('noncompliant');
    expect(v.reason).toContain('exemption expired on 2026-01-31');
  });

  it('treats unknown tags as undecided for a tag selector and decides when the outcome does not depend on them', () => {
    // Prepare
    const strict = policyOf(
      'version: 1\ndefaults: { sse: { minimum: kms } }\nrules:\n  - { id: prod, tags: { env: prod }, sse: { minimum: kms-cmk, kmsKeyId: k } }\n',
    );
    const open = policyOf(
      'version: 1\nrules:\n  - { id: prod, tags: { env: prod }, sse: { minimum: kms-cmk, kmsKeyId: k } }\n',
    );
    const lenient = policyOf(
      'version: 1\nrules:\n  - { id: prod, tags: { env: prod }, sse: { minimum: kms } }\n',
    );
    const b = bucket({
      tags: unknown('are known after apply'),
      sse: { kind: 'config', config: { algorithm: 'AES256' } },
    });
    const cmk = bucket({ tags: unknown('are known after apply') });

    // Act
    const a = judgeBucket(strict, b, { now: NOW });
    const c = judgeBucket(lenient, cmk, { now: NOW });
    const undecided = judgeBucket(open, b, { now: NOW });

    // Assess
    expect(a.status).toBe('noncompliant');
    expect(a.reason).toContain('whatever tags are known after apply');
    expect(c.status).toBe('compliant');
    expect(undecided.status).toBe('unknown');
    expect(undecided.reason).toContain('noncompliant under prod, compliant under defaults');
  });

  it('tries every encryption an unknown configuration could be and reports unknown, unless the bucket is exempt anyway', () => {
    // Prepare
    const policy = policyOf(
      'version: 1\nrules:\n  - { id: legacy, buckets: ["legacy-*"], exempt: { reason: "SEC-42" } }\n',
    );
    const open = { kind: 'unknown' as const, why: 'is known after apply' };

    // Act
    const plain = judgeBucket(policy, bucket({ sse: open }), { now: NOW });
    const exempt = judgeBucket(policy, bucket({ name: known('legacy-x'), sse: open }), { now: NOW });

    // Assess
    expect(plain.status).toBe('unknown');
    expect(plain.observed).toBeNull();
    expect(exempt.status).toBe('exempt');
  });

  it('says an accounts selector is checked at run time, and decides only when the rule would not change the verdict', () => {
    // Prepare
    const base = policyOf(
      'version: 1\nrules:\n  - { id: acct, buckets: ["acme-*"], sse: { minimum: kms } }\n',
    );
    const policy = withExtras(base, { accounts: ['1234567890123456'] });

    // Act
    const aes = judgeBucket(policy, bucket({ sse: { kind: 'config', config: { algorithm: 'AES256' } } }), {
      now: NOW,
    });
    const cmk = judgeBucket(policy, bucket(), { now: NOW });

    // Assess
    expect(aes.status).toBe('unknown');
    expect(aes.reason).toContain('rule acct selects accounts: checked at run time');
    expect(cmk.status).toBe('compliant');
    expect(cmk.reason).toContain('rule acct selects accounts: checked at run time');
  });

  it('says keyProtection and keyOrigin are checked at run time instead of passing or failing them', () => {
    // Prepare
    const policy = policyOf(
      'version: 1\nrules:\n  - { id: hsm, sse: { algorithm: KMS, kmsKeyId: key-1, keyProtection: hsm, keyOrigin: external } }\n',
    );

    // Act
    const v = judgeBucket(policy, bucket(), { now: NOW });
    const weak = judgeBucket(policy, bucket({ sse: { kind: 'config', config: { algorithm: 'AES256' } } }), {
      now: NOW,
    });

    // Assess
    expect(v.status).toBe('compliant');
    expect(v.reason).toContain('keyProtection hsm: checked at run time');
    expect(v.reason).toContain('keyOrigin external: checked at run time');
    expect(weak.status).toBe('noncompliant');
  });

  it('compares a literal key id with a policy alias only at run time, but an ARN with its id right away', () => {
    // Prepare
    const alias = policyOf('version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: alias/prod } }\n');
    const arn = policyOf(
      'version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: "acs:kms:cn-hangzhou:1:key/key-2" } }\n',
    );

    // Act
    const viaAlias = judgeBucket(alias, bucket(), { now: NOW });
    const viaArn = judgeBucket(arn, bucket(), { now: NOW });
    const known = judgeBucket(alias, bucket(), { now: NOW, aliases: new Map([['alias/prod', 'key-1']]) });

    // Assess
    expect(viaAlias.status).toBe('unknown');
    expect(viaAlias.reason).toContain('KMS alias alias/prod can only be resolved at run time');
    expect(viaArn.status).toBe('noncompliant');
    expect(known.status).toBe('compliant');
  });
});
