/**
 * The inventory flags as people run them: `backfill --setup-inventory [--apply]`, `backfill --inventory`
 * dispatched to Function Compute workers (the FC emulator runs the real worker handler) and `--local`,
 * a missing inventory reported with exit 3, and `ram-policy` naming the inventory permissions.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { deliverInventory } from '../../emulator/oss/index.js';
import { inventoryRules } from '../../emulator/oss/inventory.js';
import { handler as workerHandler } from '../../functions/backfill-worker/index.js';
import type { BackfillJobSummary } from '../../shared/backfill/job.js';
import type { BackfillReport } from '../../shared/backfill/types.js';
import { runCli } from '../helpers/cli.js';
import { REPORT_POLICY, seedBucket, stubFunctionEnv, WORKER_FUNCTION } from './helpers.js';

let emu: Emulators;
let env: Record<string, string>;

beforeAll(async () => {
  emu = await startEmulators({ seed: 'empty' });
  seedBucket(emu, 'cli-inv', 45);
  emu.oss.state.createBucket('cli-inv-files', 'cn-hangzhou');
  emu.oss.state.createBucket('cli-inv-reports', 'cn-hangzhou');
  emu.oss.state.createBucket('cli-inv-none', 'cn-hangzhou');
  emu.fc.register('', WORKER_FUNCTION, workerHandler, { timeoutSec: 30 });
  env = { ...emu.env, OSS_SSE_GUARD_POLICY: REPORT_POLICY, OSS_SSE_GUARD_ACCOUNT_ID: emu.accountId };
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu.close();
});

describe('backfill --setup-inventory and --inventory', () => {
  it('--setup-inventory is a dry run until --apply, which writes the rule', async () => {
    // Prepare
    const args = [
      'backfill',
      '--bucket',
      'cli-inv',
      '--setup-inventory',
      '--inventory-bucket',
      'cli-inv-files',
    ];
    const bucket = emu.oss.state.getBucket('cli-inv');
    if (!bucket) throw new Error('no bucket');

    // Act
    const dry = await runCli(args, env);
    const afterDry = inventoryRules(bucket).size;
    const applied = await runCli([...args, '--apply', '--inventory-frequency', 'Daily'], env);

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stderr).toMatch(/dry run: nothing changed/);
    expect(JSON.parse(dry.stdout)).toMatchObject({ applied: false, rule: { id: 'oss-sse-guard' } });
    expect(afterDry).toBe(0);
    expect(applied.code).toBe(0);
    expect(inventoryRules(bucket).get('oss-sse-guard')).toMatchObject({
      frequency: 'Daily',
      destination: { roleArn: `acs:ram::${emu.accountId}:role/AliyunOSSRole` },
    });
  }, 30_000);

  it('runs the inventory backfill on Function Compute workers and --local alike', async () => {
    // Prepare
    deliverInventory(emu.oss.state, 'cli-inv', 'oss-sse-guard', {
      at: new Date(Date.now() - 3_600_000),
      rowsPerFile: 20,
    });
    stubFunctionEnv(emu, REPORT_POLICY, 'oss://cli-inv-reports/runs');
    const heads = emu.oss.faults.count('HeadObject');

    // Act
    const fc = await runCli(
      ['backfill', '--bucket', 'cli-inv', '--inventory', '--out', 'oss://cli-inv-reports/runs'],
      env,
    );
    await emu.fc.idle();
    const headsViaFc = emu.oss.faults.count('HeadObject') - heads;
    const local = await runCli(
      [
        'backfill',
        '--bucket',
        'cli-inv',
        '--inventory',
        'oss-sse-guard',
        '--local',
        '--out',
        'oss://cli-inv-reports/runs',
      ],
      env,
    );

    // Assess
    expect(fc.code).toBe(0);
    const summary = JSON.parse(fc.stdout) as BackfillJobSummary;
    expect(summary.shards).toBe(3);
    const key = summary.report.replace('oss://cli-inv-reports/', '');
    const report = JSON.parse(
      emu.oss.state.getObject('cli-inv-reports', key)?.body.toString() ?? '{}',
    ) as BackfillReport;
    expect(report.summary.objects).toBe(45);
    expect(report.summary.byVerdict.unencrypted).toBe(15);
    expect(report.inventory?.[0]).toMatchObject({ judgedFromInventory: 30, checkedWithHead: 15 });
    expect(headsViaFc).toBe(15);
    expect(local.code).toBe(1);
    expect(local.stdout).toMatch(
      /inventory: cli-inv: "oss-sse-guard" taken .* 30 objects judged from it, 15 checked with HeadObject/,
    );
  }, 60_000);

  it('reports a bucket without an inventory and exits 3, having started nothing', async () => {
    // Act
    const res = await runCli(
      [
        'backfill',
        '--bucket',
        'cli-inv-none',
        '--inventory',
        '--local',
        '--out',
        'oss://cli-inv-reports/none',
      ],
      env,
    );

    // Assess
    expect(res.code).toBe(3);
    expect(res.stderr).toMatch(/Bucket "cli-inv-none" \(cn-hangzhou\): no enabled inventory rule/);
    expect(
      [...(emu.oss.state.getBucket('cli-inv-reports')?.objects.keys() ?? [])].some((k) =>
        k.startsWith('none/'),
      ),
    ).toBe(false);
  }, 30_000);

  it('ram-policy names the inventory permissions of the functions and of --setup-inventory', async () => {
    // Act
    const fns = await runCli(['ram-policy', '--function', 'backfill-worker', '--report', 'oss://r/p'], env);
    const coordinator = await runCli(
      ['ram-policy', '--function', 'bucket-auditor', '--inventory-bucket', 'cli-inv-files'],
      env,
    );
    const setup = await runCli(['ram-policy', '--setup-inventory'], env);

    // Assess
    expect(fns.code).toBe(0);
    const actions = (out: string) =>
      (JSON.parse(out) as { Statement: Array<{ Action: string[]; Resource: string[] }> }).Statement;
    const has = (out: string, action: string, resource?: string) =>
      actions(out).some((st) => st.Action.includes(action) && (!resource || st.Resource.includes(resource)));
    expect(has(coordinator.stdout, 'oss:GetBucketInventory')).toBe(true);
    expect(has(coordinator.stdout, 'oss:ListBucketInventory')).toBe(true);
    expect(has(coordinator.stdout, 'oss:GetObject', 'acs:oss:*:*:cli-inv-files/*')).toBe(true);
    expect(has(coordinator.stdout, 'oss:ListObjects', 'acs:oss:*:*:cli-inv-files')).toBe(true);
    expect(
      actions(fns.stdout).some(
        (s) => s.Action.includes('oss:GetObject') && s.Resource.includes('acs:oss:*:*:*/*'),
      ),
    ).toBe(true);
    expect(actions(setup.stdout).flatMap((s) => s.Action)).toEqual(
      expect.arrayContaining(['oss:PutBucketInventory', 'oss:GetBucketInventory']),
    );
  }, 30_000);
});
