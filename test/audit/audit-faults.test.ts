/**
 * The audit under faults and against KMS: errors are never read as a pass, retries recover from
 * throttling, the deadline cut, and the KMS pre-flight blocks unusable keys.
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

function seed(w: World, n: number, encrypted = false) {
  for (let i = 0; i < n; i += 1) {
    w.emu.oss.state.createBucket(`bkt-${String(i).padStart(3, '0')}`, i % 2 ? 'cn-hangzhou' : 'cn-shanghai', {
      ...(encrypted ? { encryption: { algorithm: 'AES256' as const } } : {}),
    });
  }
}

describe('errors are never a pass', () => {
  it('reports persistent throttling as error, not compliant or unencrypted, and exits 3', async () => {
    // Prepare
    world = await startWorld();
    seed(world, 6, true);
    world.emu.oss.faults.set('GetBucketEncryption', { throttleRate: 1 });

    // Act
    const report = await runAudit(world.runtime, { policy: policyOf('version: 1'), dryRun: true });

    // Assess
    expect(report.summary.byStatus.error).toBe(6);
    for (const f of report.findings) {
      expect(f.error).toMatchObject({ code: 'MetaOperationQpsLimitExceeded', status: 503 });
      expect(f.observed).toBeNull();
    }
    // 6 attempts each (FAST_RETRY.maxAttempts), then given up
    expect(world.emu.oss.faults.count('GetBucketEncryption')).toBe(36);
    expect(exitCodeFor(report)).toBe(3);
  });

  it('reports a bucket deleted mid-scan as error NoSuchBucket', async () => {
    // Prepare
    world = await startWorld();
    seed(world, 3);
    const w = world;
    const listed = w.runtime.oss.listBuckets.bind(w.runtime.oss);
    const oss = Object.create(w.runtime.oss) as typeof w.runtime.oss;
    oss.listBuckets = async function* (q) {
      for await (const page of listed(q)) {
        w.emu.oss.state.deleteBucket('bkt-001');
        yield page;
      }
    };

    // Act
    const report = await runAudit({ ...w.runtime, oss }, { policy: policyOf('version: 1'), dryRun: true });

    // Assess
    expect(byBucket(report.findings).get('bkt-001')).toMatchObject({
      status: 'error',
      error: { code: 'NoSuchBucket', status: 404 },
    });
    expect(report.summary.byStatus.noncompliant).toBe(2);
  });

  it('keeps scanning past failing buckets: every bucket appears exactly once', async () => {
    // Prepare
    world = await startWorld();
    seed(world, 20);
    world.emu.oss.faults.set('GetBucketEncryption', { errorRate: 0.5, times: 10 });

    // Act
    const report = await runAudit(world.runtime, {
      policy: policyOf('version: 1'),
      dryRun: true,
      concurrency: 1,
    });

    // Assess
    expect(report.findings.map((f) => f.bucket).sort()).toEqual(
      Array.from({ length: 20 }, (_, i) => `bkt-${String(i).padStart(3, '0')}`),
    );
    expect(report.summary.byStatus.noncompliant).toBe(20);
  });
});

describe('retries and deadline', () => {
  it('recovers from injected 503 throttling, 5xx and dropped connections with the verdicts it would get without faults', async () => {
    // Prepare
    world = await startWorld({ faultSeed: 7, retry: { baseMs: 1, capMs: 4, maxAttempts: 12 } });
    seed(world, 40);
    world.emu.oss.state.setEncryption('bkt-003', { algorithm: 'SM4' });
    world.emu.oss.faults.set('GetBucketEncryption', { throttleRate: 0.3, errorRate: 0.1, dropRate: 0.05 });
    world.emu.oss.faults.set('ListBuckets', { throttleRate: 0.5 });

    // Act
    const report = await runAudit(world.runtime, {
      policy: policyOf('version: 1'),
      dryRun: true,
      concurrency: 8,
    });

    // Assess
    expect(report.summary.byStatus.error).toBe(0);
    expect(report.summary.byStatus.compliant).toBe(1);
    expect(report.summary.byStatus.noncompliant).toBe(39);
    expect(world.emu.oss.faults.count('GetBucketEncryption')).toBeGreaterThan(40);
    expect(world.logs.some((l) => l.msg === 'retrying' && l.code === 'MetaOperationQpsLimitExceeded')).toBe(
      true,
    );
  });

  it('remediates once when the first PutBucketEncryption response is lost', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('lost-response', 'cn-hangzhou');
    world.emu.oss.faults.set('PutBucketEncryption', { dropRate: 1, dropPhase: 'after', times: 1 });

    // Act
    const report = await runAudit(world.runtime, {
      policy: policyOf('version: 1\ndefaults: { remediate: true }'),
      dryRun: false,
    });

    // Assess
    expect(report.findings[0]).toMatchObject({ status: 'remediated', observed: { algorithm: 'AES256' } });
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(2);
    expect(report.findings.filter((f) => f.action)).toHaveLength(1);
  });

  it('stops starting work before the deadline and reports the rest as not checked', async () => {
    // Prepare
    world = await startWorld();
    seed(world, 30);
    world.emu.oss.faults.set('GetBucketEncryption', { latencyMs: 40 });
    const deadline = Date.now() + 400;

    // Act
    const report = await runAudit(world.runtime, {
      policy: policyOf('version: 1'),
      dryRun: true,
      concurrency: 1,
      deadline,
      reserveMs: 100,
    });

    // Assess
    expect(Date.now()).toBeLessThan(deadline + 200);
    expect(report.findings).toHaveLength(30);
    const unchecked = report.findings.filter((f) => f.error?.code === 'NotChecked');
    expect(unchecked.length).toBeGreaterThan(5);
    expect(report.incomplete).toEqual({ reason: 'deadline reached', unchecked: unchecked.length });
    // A read in flight when the time ran out is cut by its deadline-derived timeout, never waited for.
    const cut = report.findings.filter((f) => f.status === 'error' && f.error?.code !== 'NotChecked');
    expect(cut.length).toBeLessThanOrEqual(1);
    expect(report.summary.byStatus.noncompliant).toBe(30 - unchecked.length - cut.length);
  });
});

describe('KMS pre-flight', () => {
  it('blocks a disabled, a pending-deletion, a foreign-region and a missing CMK, applying nothing', async () => {
    // Prepare
    world = await startWorld();
    const kms = world.emu.kms.state;
    const disabled = kms.createKey({ region: 'cn-hangzhou' });
    kms.disableKey(disabled.keyId, 'cn-hangzhou');
    const pending = kms.createKey({ region: 'cn-hangzhou' });
    kms.scheduleDeletion(pending.keyId, 7, 'cn-hangzhou');
    const foreign = kms.createKey({ region: 'cn-beijing' });
    const s = world.emu.oss.state;
    for (const n of ['k-disabled', 'k-pending', 'k-foreign', 'k-missing']) s.createBucket(n, 'cn-hangzhou');
    const policy = policyOf(`version: 1
defaults: { remediate: true }
rules:
  - { id: d, buckets: [k-disabled], sse: { algorithm: KMS, kmsKeyId: ${disabled.keyId} } }
  - { id: p, buckets: [k-pending], sse: { algorithm: KMS, kmsKeyId: ${pending.keyId} } }
  - { id: f, buckets: [k-foreign], sse: { algorithm: KMS, kmsKeyId: "${foreign.arn}" } }
  - { id: m, buckets: [k-missing], sse: { algorithm: KMS, kmsKeyId: alias/does-not-exist } }
`);

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    const f = byBucket(report.findings);
    expect(report.summary.byStatus.blocked).toBe(4);
    expect(f.get('k-disabled')?.reason).toMatch(/is Disabled; expected Enabled/);
    expect(f.get('k-pending')?.reason).toMatch(/is PendingDeletion; expected Enabled/);
    expect(f.get('k-foreign')?.reason).toMatch(/not found in region cn-hangzhou|is in region cn-beijing/);
    expect(f.get('k-missing')?.reason).toMatch(/"alias\/does-not-exist" was not found in region cn-hangzhou/);
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
    for (const n of ['k-disabled', 'k-pending', 'k-foreign', 'k-missing'])
      expect(s.getBucket(n)?.encryption).toBeNull();
    expect(exitCodeFor(report)).toBe(1);
  });

  it('resolves aliases: a bucket on the aliased key complies, a fixed bucket gets the key id', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-shanghai' });
    world.emu.kms.state.createAlias('alias/team', key.keyId, 'cn-shanghai');
    const s = world.emu.oss.state;
    s.createBucket('on-key', 'cn-shanghai', { encryption: { algorithm: 'KMS', kmsMasterKeyId: key.keyId } });
    s.createBucket('on-nothing', 'cn-shanghai');
    const policy = policyOf(
      'version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: alias/team }, remediate: true }',
    );

    // Act
    const report = await runAudit(world.runtime, { policy, dryRun: false });

    // Assess
    const f = byBucket(report.findings);
    expect(f.get('on-key')?.status).toBe('compliant');
    expect(f.get('on-nothing')?.status).toBe('remediated');
    expect(s.getBucket('on-nothing')?.encryption).toEqual({ algorithm: 'KMS', kmsMasterKeyId: key.keyId });
    expect(f.get('on-key')?.cis).toEqual(['5.8', '5.9']);
  });
});
