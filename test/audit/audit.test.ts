/**
 * The audit against the emulators with the real ali-oss and KMS clients: paging, every status, the
 * safety rules of DESIGN.md section 3, errors never read as a pass, retries, the deadline cut, the KMS
 * pre-flight and alias resolution.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { exitCodeFor } from '../../shared/audit/exit-code.js';
import { runAudit } from '../../shared/audit/run.js';
import type { Finding } from '../../shared/model.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const byBucket = (findings: Finding[]) => new Map(findings.map((f) => [f.bucket, f]));

describe('audit scanning', () => {
  it('pages beyond 1,000 buckets across regions and reports each bucket exactly once', async () => {
    // Prepare
    world = await startWorld();
    const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'ap-southeast-1'];
    for (let i = 0; i < 2500; i += 1) {
      world.emu.oss.state.createBucket(`b-${String(i).padStart(5, '0')}`, regions[i % 4] as string, {
        ...(i % 3 === 0 ? { encryption: { algorithm: 'AES256' as const } } : {}),
      });
    }

    // Act
    const report = await runAudit(world.runtime, {
      policy: policyOf('version: 1'),
      dryRun: true,
      concurrency: 64,
    });

    // Assess
    expect(report.findings).toHaveLength(2500);
    expect(new Set(report.findings.map((f) => f.bucket)).size).toBe(2500);
    expect(world.emu.oss.faults.count('ListBuckets')).toBe(3);
    expect(report.summary.byStatus.compliant).toBe(834);
    expect(report.summary.byStatus.noncompliant).toBe(1666);
    expect(Object.keys(report.summary.byRegion).sort()).toEqual([...regions].sort());
    expect(report.findings.find((f) => f.bucket === 'b-00001')?.region).toBe('cn-shanghai');
  });

  it('reads bucket tags only when a rule selects by tags, and matches on them', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('tagged', 'cn-hangzhou', { tags: { env: 'prod' } });
    world.emu.oss.state.createBucket('plain', 'cn-hangzhou');
    const tagged = policyOf(
      'version: 1\nrules:\n  - { id: prod, tags: { env: prod }, sse: { algorithm: KMS } }',
    );

    // Act
    await runAudit(world.runtime, { policy: policyOf('version: 1'), dryRun: true });
    const untaggedReads = world.emu.oss.faults.count('GetBucketTagging');
    const report = await runAudit(world.runtime, { policy: tagged, dryRun: true });

    // Assess
    expect(untaggedReads).toBe(0);
    expect(world.emu.oss.faults.count('GetBucketTagging')).toBe(2);
    const f = byBucket(report.findings);
    expect(f.get('tagged')?.ruleId).toBe('prod');
    expect(f.get('plain')?.ruleId).toBe('defaults');
  });
});

describe('statuses and safety rules', () => {
  it('reports every status of the vocabulary on the demo account', async () => {
    // Prepare
    world = await startWorld({ seed: 'demo' });
    const { loadPolicyFile } = await import('../../shared/policy/load.js');
    const policy = await loadPolicyFile('examples/policy.yaml');
    world.emu.accounts.add({
      accessKeyId: 'EMU-NO-ENCRYPTION-READ',
      accessKeySecret: 'restricted-secret',
      policy: {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: 'oss:*', Resource: '*' },
          { Effect: 'Deny', Action: 'oss:GetBucketEncryption', Resource: 'acs:oss:*:*:team-wiki' },
        ],
      },
    });
    const restricted = world.runtimeFor({
      accessKeyId: 'EMU-NO-ENCRYPTION-READ',
      accessKeySecret: 'restricted-secret',
    });

    // Act
    const dry = await runAudit(restricted, { policy, dryRun: true });
    const applied = await runAudit(restricted, { policy, dryRun: false });

    // Assess
    const statuses = new Set([...dry.findings, ...applied.findings].map((f) => f.status));
    expect([...statuses].sort()).toEqual(
      ['blocked', 'compliant', 'error', 'exempt', 'noncompliant', 'remediated', 'would-remediate'].sort(),
    );
    const wiki = byBucket(applied.findings).get('team-wiki');
    expect(wiki).toMatchObject({ status: 'error', error: { code: 'AccessDenied', status: 403 } });
    expect(wiki?.error?.requestId).toMatch(/^[0-9A-F]{24}$/);
    expect(exitCodeFor(applied)).toBe(3);
  });

  it('changes nothing in a dry run and reports would-remediate', async () => {
    // Prepare
    world = await startWorld({ seed: 'demo' });
    const { loadPolicyFile } = await import('../../shared/policy/load.js');
    const policy = await loadPolicyFile('examples/policy.yaml');
    const before = JSON.stringify(
      [...world.emu.oss.state.pageBuckets('', '', 1000).buckets].map((b) => b.encryption),
    );

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: true });

    // Assess
    const after = JSON.stringify(
      [...world.emu.oss.state.pageBuckets('', '', 1000).buckets].map((b) => b.encryption),
    );
    expect(after).toBe(before);
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
    expect(report.mode).toBe('dry-run');
    expect(report.summary.byStatus['would-remediate']).toBe(5);
    expect(report.summary.byStatus.remediated).toBe(0);
    expect(byBucket(report.findings).get('prod-orders')?.action?.to).toEqual({
      algorithm: 'KMS',
      kmsKeyId: '0b5c3e1a-7d2f-4a8e-9c61-5f0e2d7a1b01',
    });
  });

  it('never makes a bucket weaker: a CMK bucket stays, a KMS bucket asked for SM4 gets SM4 data encryption', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    const s = world.emu.oss.state;
    s.createBucket('aes-rule', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: key.keyId },
    });
    s.createBucket('sm4-rule', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: key.keyId },
    });
    const policy = policyOf(`version: 1
defaults: { remediate: true }
rules:
  - { id: aes, buckets: [aes-rule], sse: { algorithm: AES256 } }
  - { id: sm4, buckets: [sm4-rule], sse: { algorithm: SM4 } }
`);

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    const f = byBucket(report.findings);
    expect(f.get('aes-rule')?.status).toBe('compliant');
    expect(s.getBucket('aes-rule')?.encryption).toEqual({ algorithm: 'KMS', kmsMasterKeyId: key.keyId });
    expect(f.get('sm4-rule')?.status).toBe('remediated');
    expect(s.getBucket('sm4-rule')?.encryption).toEqual({
      algorithm: 'KMS',
      kmsMasterKeyId: key.keyId,
      kmsDataEncryption: 'SM4',
    });
  });

  it('replaces KMS by AES256 only when the rule asks for an exact match', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('exact', 'cn-hangzhou', { encryption: { algorithm: 'KMS' } });
    const policy = policyOf(
      'version: 1\ndefaults: { sse: { algorithm: AES256 }, match: exact, remediate: true }',
    );

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    expect(report.findings[0]).toMatchObject({ status: 'remediated', observed: { algorithm: 'AES256' } });
    expect(report.findings[0]?.action).toMatchObject({
      from: { algorithm: 'KMS' },
      to: { algorithm: 'AES256' },
    });
  });

  it('never touches an exempt bucket, and applies the rule again once the exemption expired', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('legacy-a', 'cn-hangzhou');
    const text = (until: string) =>
      `version: 1\ndefaults: { remediate: true }\nrules:\n  - { id: legacy, buckets: ["legacy-*"], exempt: { reason: SEC-42, until: ${until} } }\n`;
    const clock = { now: () => new Date('2026-11-22T10:00:00Z') };

    // Act
    const during = await runAudit(
      { ...world.runtime, clock },
      { policy: policyOf(text('2026-12-31')), dryRun: false },
    );
    const untouched = world.emu.oss.state.getBucket('legacy-a')?.encryption;
    const after = await runAudit(
      { ...world.runtime, clock },
      { policy: policyOf(text('2026-11-01')), dryRun: false },
    );

    // Assess
    expect(during.findings[0]).toMatchObject({
      status: 'exempt',
      reason: 'exempt: SEC-42 (until 2026-12-31)',
    });
    expect(untouched).toBeNull();
    expect(after.findings[0]?.status).toBe('remediated');
    expect(after.findings[0]?.reason).toMatch(/^exemption expired on 2026-11-01; no default encryption/);
  });

  it('changes at most maxRemediationsPerRun buckets and reports the rest', async () => {
    // Prepare
    world = await startWorld();
    for (const n of ['cap-1', 'cap-2', 'cap-3', 'cap-4', 'cap-5'])
      world.emu.oss.state.createBucket(n, 'cn-hangzhou');
    const policy = policyOf(
      'version: 1\ndefaults: { remediate: true }\nlimits: { maxRemediationsPerRun: 2 }',
    );

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    expect(report.summary.byStatus.remediated).toBe(2);
    expect(report.summary.byStatus.noncompliant).toBe(3);
    const capped = report.findings.filter((f) => f.status === 'noncompliant');
    for (const f of capped) expect(f.reason).toMatch(/maxRemediationsPerRun \(2\) reached/);
    const encrypted = ['cap-1', 'cap-2', 'cap-3', 'cap-4', 'cap-5'].filter(
      (n) => world?.emu.oss.state.getBucket(n)?.encryption,
    );
    expect(encrypted).toHaveLength(2);
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(2);
  });

  it('logs every change with bucket, region, before, after, rule id and request id', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('logged', 'cn-shanghai');

    // Act
    await runAudit(world.runtime, {
      policy: policyOf('version: 1\ndefaults: { remediate: true }'),
      dryRun: false,
    });

    // Assess
    const line = world.logs.find((l) => l.msg === 'encryption applied');
    expect(line).toMatchObject({
      bucket: 'logged',
      region: 'cn-shanghai',
      from: 'none',
      to: 'AES256',
      ruleId: 'defaults',
    });
    expect(line?.ossRequestId).toMatch(/^[0-9A-F]{24}$/);
  });

  it('applies and reads back KMS with SM4 data encryption, which ali-oss alone cannot send', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('sm4-data', 'cn-hangzhou');
    const policy = policyOf(
      'version: 1\ndefaults: { sse: { algorithm: KMS, kmsDataEncryption: SM4 }, remediate: true }',
    );

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    expect(report.findings[0]).toMatchObject({
      status: 'remediated',
      observed: { algorithm: 'KMS', kmsDataEncryption: 'SM4' },
    });
    expect(world.emu.oss.state.getBucket('sm4-data')?.encryption).toEqual({
      algorithm: 'KMS',
      kmsDataEncryption: 'SM4',
    });
  });
});

describe('explicit bucket lists', () => {
  it('audits only the buckets it is given, without listing the account', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('one-bucket', 'cn-shanghai');
    world.emu.oss.state.createBucket('other-bucket', 'cn-shanghai');

    // Act
    const report = await runAudit(world.runtime, {
      policy: policyOf('version: 1\ndefaults: { remediate: true }'),
      dryRun: false,
      buckets: [{ name: 'one-bucket', region: 'cn-shanghai' }],
    });

    // Assess
    expect(report.findings.map((f) => [f.bucket, f.status])).toEqual([['one-bucket', 'remediated']]);
    expect(world.emu.oss.faults.count('ListBuckets')).toBe(0);
    expect(world.emu.oss.state.getBucket('other-bucket')?.encryption).toBeNull();
  });
});
