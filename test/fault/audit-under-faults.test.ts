/**
 * The audit under injected faults on every OSS and KMS operation (20 % throttling, 5 % 5xx, 2 % dropped
 * connections; PutBucketEncryption's responses lost after it was applied): every bucket appears exactly
 * once with the finding a fault-free run of the same account gives, and ends with the same configuration.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runAudit } from '../../shared/audit/run.js';
import type { Finding, Report } from '../../shared/model.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import { bucketNames, FAULT_POLICY, seedAccount } from './account.js';

const BUCKETS = 2000;
const FAULTS = { throttleRate: 0.2, errorRate: 0.05, dropRate: 0.02 };
/** Fast retries with room for bad luck: P(20 failures in a row) at ~26 % per attempt is ~1e-12. */
const RETRY = { baseMs: 1, capMs: 8, maxAttempts: 20 };

/** What must not depend on faults: everything a reader of the finding relies on. */
function essence(f: Finding) {
  return {
    status: f.status,
    ruleId: f.ruleId,
    observed: f.observed,
    required: f.required,
    reason: f.reason,
    actionTo: f.action?.to ?? null,
    error: f.error?.code ?? null,
  };
}

let clean: World;
let faulty: World;
let expected: Report;
let actual: Report;

beforeAll(async () => {
  clean = await startWorld({ retry: RETRY });
  faulty = await startWorld({ retry: RETRY, faultSeed: 2024 });
  seedAccount(clean, BUCKETS);
  seedAccount(faulty, BUCKETS);
  const policy = policyOf(FAULT_POLICY);
  expected = await runAudit(clean.runtime, { policy, dryRun: false });
  for (const faults of [faulty.emu.oss.faults, faulty.emu.kms.faults]) faults.set('*', FAULTS);
  faulty.emu.oss.faults.set('PutBucketEncryption', { ...FAULTS, dropPhase: 'after' });
  actual = await runAudit(faulty.runtime, { policy, dryRun: false });
  // Two remediating runs of 2,000 buckets (each change re-reads its bucket first): minutes on a busy machine.
}, 180_000);

afterAll(async () => {
  await Promise.all([clean?.close(), faulty?.close()]);
});

describe('audit of 2,000 buckets under throttling, 5xx and dropped connections', () => {
  it('lists every bucket exactly once', () => {
    // Prepare
    const seeded = bucketNames(BUCKETS).sort();

    // Act
    const reported = actual.findings.map((f) => f.bucket).sort();

    // Assess
    expect(reported).toEqual(seeded);
    expect(actual.summary.total).toBe(BUCKETS);
  });

  it('gives every bucket the finding the fault-free run gives it', () => {
    // Prepare
    const want = new Map(expected.findings.map((f) => [f.bucket, essence(f)]));

    // Act
    const differing = actual.findings.filter(
      (f) => JSON.stringify(essence(f)) !== JSON.stringify(want.get(f.bucket)),
    );

    // Assess
    expect(differing.map((f) => ({ bucket: f.bucket, got: essence(f), want: want.get(f.bucket) }))).toEqual(
      [],
    );
    expect(actual.summary.byStatus).toEqual(expected.summary.byStatus);
    expect(actual.summary.byStatus.error).toBe(0);
  });

  it('covers every kind of verdict, so the comparison means something', () => {
    // Prepare
    const counts = expected.summary.byStatus;

    // Act
    const kinds = (['compliant', 'remediated', 'noncompliant', 'exempt', 'blocked'] as const).map(
      (s) => counts[s],
    );

    // Assess
    for (const n of kinds) expect(n).toBeGreaterThan(0);
  });

  it('leaves every bucket with the configuration the fault-free run leaves it with', () => {
    // Prepare
    const names = bucketNames(BUCKETS);

    // Act
    const differing = names.filter(
      (n) =>
        JSON.stringify(faulty.emu.oss.state.getBucket(n)?.encryption) !==
        JSON.stringify(clean.emu.oss.state.getBucket(n)?.encryption),
    );

    // Assess
    expect(differing).toEqual([]);
  });

  it('ends every remediated bucket with the required configuration, recorded as one remediation', () => {
    // Prepare
    const remediated = actual.findings.filter((f) => f.status === 'remediated');

    // Act
    const wrong = remediated.filter((f) => {
      const stored = faulty.emu.oss.state.getBucket(f.bucket)?.encryption;
      return (
        !f.action ||
        stored?.algorithm !== f.action.to.algorithm ||
        (stored?.kmsMasterKeyId ?? undefined) !== f.action.to.kmsKeyId
      );
    });

    // Assess
    expect(remediated.length).toBe(expected.summary.byStatus.remediated);
    expect(wrong).toEqual([]);
    expect(actual.findings.filter((f) => f.action).length).toBe(remediated.length);
    // Retried PutBucketEncryption calls (lost responses among them) are not extra remediations.
    expect(faulty.emu.oss.faults.count('PutBucketEncryption')).toBeGreaterThan(remediated.length);
  });

  it('really met every kind of fault on the way', () => {
    // Prepare
    const retried = faulty.logs.filter((l) => l.msg === 'retrying').map((l) => String(l.code));

    // Act
    const kinds = {
      throttled: retried.filter((c) => c === 'MetaOperationQpsLimitExceeded').length,
      serverError: retried.filter((c) => c === 'InternalError').length,
      network: retried.filter((c) => c !== 'MetaOperationQpsLimitExceeded' && c !== 'InternalError').length,
    };

    // Assess
    expect(kinds.throttled).toBeGreaterThan(100);
    expect(kinds.serverError).toBeGreaterThan(10);
    expect(kinds.network).toBeGreaterThan(5);
    expect(faulty.emu.kms.faults.count('DescribeKey')).toBeGreaterThan(
      clean.emu.kms.faults.count('DescribeKey'),
    );
  });
});
