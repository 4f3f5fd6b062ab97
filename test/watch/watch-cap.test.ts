/**
 * The remediation cap across one bucket-watch invocation (issue 14): `maxRemediationsPerRun` bounds the
 * changes of the whole invocation, not of each single-bucket run it starts. Against the OSS emulator with
 * the real ali-oss, 100 DeleteBucketEncryption events (ActionTrail ApiCall through EventBridge, one
 * invocation) under a cap of 1 make exactly one PutBucketEncryption; the other buckets are reported.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { watchEvents } from '../../shared/watch/watch.js';
import { apiCall, payload } from '../fixtures/eventbridge/builders.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

let world: World;
beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.close();
});

const policy = (cap: number) =>
  policyOf(
    `version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\nlimits: { maxRemediationsPerRun: ${cap} }\n`,
  );

describe('bucket watch remediation cap', () => {
  it('makes one change for 100 deleted rules in one invocation under maxRemediationsPerRun: 1', async () => {
    // Prepare
    const account = world.emu.accountId;
    const events = Array.from({ length: 100 }, (_, i) => {
      world.emu.oss.state.createBucket(`cap-${i}`, 'cn-hangzhou');
      return apiCall({ bucket: `cap-${i}`, accountId: account, operation: 'DeleteBucketEncryption' });
    });

    // Act
    const summary = await watchEvents(world.runtime, {
      policy: policy(1),
      events: payload(...events),
      accountId: account,
      dryRun: false,
      requestId: 'cap-1',
    });

    // Assess
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(1);
    expect(summary.changesApplied).toBe(1);
    expect(summary.results).toHaveLength(100);
    expect(summary.results.filter((r) => r.changed)).toHaveLength(1);
    const encrypted = Array.from(
      { length: 100 },
      (_, i) => world.emu.oss.state.getBucket(`cap-${i}`)?.encryption,
    );
    expect(encrypted.filter((e) => e !== null)).toHaveLength(1);
    expect(summary.retryableFailure).toBe(false);
  });

  it('gives a unit back when a run changed nothing, so a later bucket may still be fixed', async () => {
    // Prepare: the first bucket is already compliant, the second is not; cap 1.
    const account = world.emu.accountId;
    world.emu.oss.state.createBucket('cap-ok', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    world.emu.oss.state.createBucket('cap-bare', 'cn-hangzhou');
    const puts = world.emu.oss.faults.count('PutBucketEncryption');
    const events = ['cap-ok', 'cap-bare'].map((b) =>
      apiCall({ bucket: b, accountId: account, operation: 'DeleteBucketEncryption' }),
    );

    // Act
    const summary = await watchEvents(world.runtime, {
      policy: policy(1),
      events: payload(...events),
      accountId: account,
      dryRun: false,
      requestId: 'cap-2',
    });

    // Assess
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(puts + 1);
    expect(world.emu.oss.state.getBucket('cap-bare')?.encryption).toEqual({ algorithm: 'AES256' });
    expect(summary.results.map((r) => [r.bucket, r.status])).toEqual([
      ['cap-ok', 'compliant'],
      ['cap-bare', 'remediated'],
    ]);
  });
});
