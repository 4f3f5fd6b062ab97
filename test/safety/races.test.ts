/**
 * "Races that break never weaker" (issue 14), each as a test against the emulators with the real SDKs:
 * one remediating run per account at a time (a lease OSS arbitrates), a re-read right before each
 * change, the CMK re-checked right before it is applied, and undo trusting only a report that matches
 * its manifest and its run's journal, under the same lease.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../shared/audit/run.js';
import { LocalRunStore, OssRunStore } from '../../shared/backfill/store.js';
import type { Report } from '../../shared/model.js';
import { sha256Hex } from '../../shared/report/manifest.js';
import { openGuard } from '../../shared/safety/guard.js';
import { acquireLease } from '../../shared/safety/lease.js';
import { runCli } from '../helpers/cli.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import { remediate, tempDir } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const encryptionOf = (w: World, name: string) => w.emu.oss.state.getBucket(name)?.encryption ?? null;
const cmkPolicy = (keyId: string) =>
  `version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: "${keyId}" }, match: exact, remediate: true }\n`;
const AES_AT_LEAST = 'version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\n';
const AES_EXACT = 'version: 1\ndefaults: { sse: { algorithm: AES256 }, match: exact, remediate: true }\n';

function seed(w: World, n: number): string[] {
  const names = Array.from({ length: n }, (_, i) => `race-${String(i).padStart(2, '0')}`);
  for (const name of names) w.emu.oss.state.createBucket(name, 'cn-hangzhou');
  return names;
}

describe('one remediating run per account at a time', () => {
  it('lets one of two runs started together remediate; the other changes nothing and says who holds the lease', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    const names = seed(world, 20);
    const dir = await tempDir('two-runs');

    // Act
    const [cmk, aes] = await Promise.all([
      remediate(world, cmkPolicy(key.keyId), dir),
      remediate(world, AES_AT_LEAST, dir),
    ]);
    const [winner, loser] = cmk.summary.leaseHeld ? [aes, cmk] : [cmk, aes];
    const again = await remediate(world, loser === cmk ? cmkPolicy(key.keyId) : AES_AT_LEAST, dir);

    // Assess
    expect(winner.summary.leaseHeld).toBeUndefined();
    expect(winner.report.summary.byStatus.remediated).toBe(20);
    expect(loser.summary.leaseHeld).toMatch(
      new RegExp(`another remediating run holds the lease at .*: audit run ${winner.report.runId}`),
    );
    expect(loser.report.summary.byStatus.remediated).toBe(0);
    expect(
      loser.report.findings.every((f) => f.reason.includes('another remediating run holds the lease')),
    ).toBe(true);
    // Whichever ran first, the CMK policy is met at the end and the AES256 one never replaced it.
    expect(again.summary.leaseHeld).toBeUndefined();
    for (const n of names)
      expect(encryptionOf(world, n)).toEqual({ algorithm: 'KMS', kmsMasterKeyId: key.keyId });
  });

  it('lets exactly one of five runs racing for an OSS lease take it (x-oss-forbid-overwrite)', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('leases', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    const store = new OssRunStore(world.runtime.oss, 'leases', 'audit/locks');
    const now = new Date();

    // Act
    const results = await Promise.all(
      [1, 2, 3, 4, 5].map((i) =>
        acquireLease(store, { runId: `run-${i}`, purpose: 'audit', now, ttlMs: 60_000 }),
      ),
    );

    // Assess
    expect(results.filter((r) => r.held)).toHaveLength(1);
    for (const r of results) if (!r.held) expect(r.reason).toMatch(/another remediating run/);
  });

  it("takes over a dead run's lease once it expired, never before", async () => {
    // Prepare
    const store = new LocalRunStore(join(await tempDir('expiry'), 'locks'));
    const t0 = new Date('2026-12-01T10:00:00Z');
    const dead = await acquireLease(store, { runId: 'dead', purpose: 'audit', now: t0, ttlMs: 60_000 });

    // Act
    const early = await acquireLease(store, {
      runId: 'early',
      purpose: 'audit',
      now: new Date(t0.getTime() + 59_000),
      ttlMs: 60_000,
    });
    const late = await acquireLease(store, {
      runId: 'late',
      purpose: 'audit',
      now: new Date(t0.getTime() + 61_000),
      ttlMs: 60_000,
    });

    // Assess
    expect(dead.held).toBe(true);
    expect(early).toMatchObject({
      held: false,
      holder: { runId: 'dead', expiresAt: '2026-12-01T10:01:00.000Z' },
    });
    expect(late.held && late.lease.record).toMatchObject({ runId: 'late', generation: 2 });
  });

  it('stops changing buckets once its own lease expired, and releases it for the next run', async () => {
    // Prepare
    const dir = await tempDir('own-expiry');
    const t0 = new Date('2026-12-01T10:00:00Z');
    const opened = await openGuard(dir, undefined, {
      runId: 'slow',
      purpose: 'audit',
      now: () => t0,
      ttlMs: 60_000,
    });

    // Act
    const before = opened.guard.refusal(new Date(t0.getTime() + 59_000));
    const after = opened.guard.refusal(new Date(t0.getTime() + 60_000));
    await opened.close(t0);
    const next = await openGuard(dir, undefined, { runId: 'next', purpose: 'audit', now: () => t0 });

    // Assess
    expect(before).toBeUndefined();
    expect(after).toMatch(/lease at .* expired at 2026-12-01T10:01:00.000Z; changing nothing more/);
    expect(next.heldBy).toBeUndefined();
    await next.close(t0);
  });
});

describe('a bucket changed since the verdict is not changed', () => {
  it('refuses to replace a CMK set by someone else after the read (stale read), and says why', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    seed(world, 1);
    const w = world;
    const oss = Object.create(w.runtime.oss) as typeof w.runtime.oss;
    let reads = 0;
    oss.getBucketEncryption = async (b, retry) => {
      const seen = await w.runtime.oss.getBucketEncryption(b, retry);
      // Another run applies its CMK between this run's read and its change.
      reads += 1;
      if (reads === 1) w.emu.oss.state.setEncryption(b.name, { algorithm: 'KMS', kmsMasterKeyId: key.keyId });
      return seen;
    };

    // Act
    const report = await runAudit({ ...w.runtime, oss }, { policy: policyOf(AES_EXACT), dryRun: false });

    // Assess
    expect(report.findings[0]?.status).toBe('noncompliant');
    expect(report.findings[0]?.reason).toMatch(/changed since it was read \(was none, now KMS/);
    expect(w.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
    expect(encryptionOf(w, 'race-00')).toEqual({ algorithm: 'KMS', kmsMasterKeyId: key.keyId });
  });
});

describe('the CMK is re-checked right before it is applied', () => {
  it('blocks the remaining buckets once the key is disabled mid-run', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    seed(world, 5);
    const w = world;
    const oss = Object.create(w.runtime.oss) as typeof w.runtime.oss;
    oss.putBucketEncryption = async (b, cfg, retry) => {
      const done = await w.runtime.oss.putBucketEncryption(b, cfg, retry);
      w.emu.kms.state.disableKey(key.keyId, 'cn-hangzhou');
      return done;
    };

    // Act
    const report = await runAudit(
      { ...w.runtime, oss },
      { policy: policyOf(cmkPolicy(key.keyId)), dryRun: false, concurrency: 1, keyRecheck: { maxAgeMs: 0 } },
    );

    // Assess
    expect(report.summary.byStatus.remediated).toBe(1);
    expect(report.summary.byStatus.blocked).toBe(4);
    for (const f of report.findings.filter((x) => x.status === 'blocked'))
      expect(f.reason).toMatch(/is Disabled/);
  });

  it('asks DescribeKey again only after the cached answer is older than maxAgeMs', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    seed(world, 6);
    let t = Date.parse('2026-12-01T10:00:00Z');
    // Each reading of the clock moves it 1 s on: six buckets span the 4 s window more than once.
    const clock = {
      now: () => {
        t += 1000;
        return new Date(t);
      },
    };

    // Act
    const report = await runAudit(
      { ...world.runtime, clock },
      {
        policy: policyOf(cmkPolicy(key.keyId)),
        dryRun: false,
        concurrency: 1,
        keyRecheck: { maxAgeMs: 4000 },
      },
    );
    const describes = world.emu.kms.faults.count('DescribeKey');

    // Assess
    expect(report.summary.byStatus.remediated).toBe(6);
    // one pre-flight, then re-checks: fewer than one per bucket, more than one in all
    expect(describes).toBeGreaterThan(2);
    expect(describes).toBeLessThan(7);
  });
});

describe('undo trusts only a verified report, under the lease', () => {
  async function remediatedRun(w: World) {
    const key = w.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    seed(w, 2);
    w.emu.oss.state.createBucket('untouched', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: key.keyId },
    });
    const dir = await tempDir('undo');
    const { report } = await remediate(
      w,
      `version: 1\ndefaults: { sse: { minimum: sse-oss }, remediate: true }\n`,
      dir,
    );
    const path = join(dir, `${report.runId}.json`);
    // A forged entry: "remediated from none" for a bucket no run touched.
    const forged = JSON.parse(await readFile(path, 'utf8')) as Report;
    const real = forged.findings.find((f) => f.status === 'remediated');
    forged.findings.push({
      ...(real as NonNullable<typeof real>),
      bucket: 'untouched',
      observed: { algorithm: 'KMS', kmsKeyId: key.keyId },
      action: { kind: 'put-bucket-encryption', from: null, to: { algorithm: 'KMS', kmsKeyId: key.keyId } },
    });
    return { dir, path, report, forged, key };
  }

  it('refuses a report that does not match its SHA-256 manifest (exit 2), changing nothing', async () => {
    // Prepare
    world = await startWorld();
    const { path, forged, key } = await remediatedRun(world);
    await writeFile(path, JSON.stringify(forged));

    // Act
    const run = await runCli(['undo', '--report', path, '--apply'], world.emu.env);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/does not match its manifest/);
    expect(encryptionOf(world, 'untouched')).toEqual({ algorithm: 'KMS', kmsMasterKeyId: key.keyId });
    expect(encryptionOf(world, 'race-00')).toEqual({ algorithm: 'AES256' });
  });

  it("skips a change the run's journal does not record, even with a manifest made to match", async () => {
    // Prepare
    world = await startWorld();
    const { dir, path, report, forged, key } = await remediatedRun(world);
    const text = JSON.stringify(forged);
    await writeFile(path, text);
    await writeFile(join(dir, `${report.runId}.sha256`), `${sha256Hex(text)}  ${report.runId}.json\n`);

    // Act
    const run = await runCli(['undo', '--report', path, '--apply'], world.emu.env);

    // Assess
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(
      /untouched\s+cn-hangzhou\s+skipped\s+the run's change journal does not record/,
    );
    expect(run.stdout).toMatch(/race-00\s+cn-hangzhou\s+restored/);
    expect(encryptionOf(world, 'untouched')).toEqual({ algorithm: 'KMS', kmsMasterKeyId: key.keyId });
    expect(encryptionOf(world, 'race-00')).toBeNull();
  });

  it('stops before any change while a remediating audit holds the lease, and says which', async () => {
    // Prepare
    world = await startWorld();
    const { dir, path } = await remediatedRun(world);
    const audit = await acquireLease(new LocalRunStore(join(dir, 'locks')), {
      runId: 'audit-in-progress',
      purpose: 'audit',
      now: new Date(),
      ttlMs: 600_000,
    });

    // Act
    const run = await runCli(['undo', '--report', path, '--apply'], world.emu.env);

    // Assess
    expect(audit.held).toBe(true);
    expect(run.code).toBe(3);
    expect(run.stderr).toMatch(
      /stopped before any change: another remediating run holds the lease .*audit run audit-in-progress/,
    );
    expect(encryptionOf(world, 'race-00')).toEqual({ algorithm: 'AES256' });
  });
});
