/**
 * `oss-sse-guard backfill` as people run it: a real process against the emulators. `--local` runs the
 * workers in the CLI's process and prints the aggregate; without it the CLI dispatches the workers to the
 * FC emulator (where the real worker handler runs) and prints where the report will appear.
 */
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { handler as workerHandler } from '../../functions/backfill-worker/index.js';
import type { BackfillJobSummary } from '../../shared/backfill/job.js';
import type { BackfillReport } from '../../shared/backfill/types.js';
import { runCli } from '../helpers/cli.js';
import { ENCRYPT_POLICY, REPORT_POLICY, seedBucket, stubFunctionEnv, WORKER_FUNCTION } from './helpers.js';

let emu: Emulators;
let dir: string;

beforeAll(async () => {
  emu = await startEmulators({ seed: 'empty' });
  dir = await mkdtemp(join(tmpdir(), 'backfill-cli-'));
  seedBucket(emu, 'cli-objects', 90);
  emu.oss.state.createBucket('cli-reports', 'cn-hangzhou');
  emu.fc.register('', WORKER_FUNCTION, workerHandler, { timeoutSec: 30 });
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await emu.close();
});

describe('backfill command', () => {
  it('--local reports what is left (exit 1), then --remediate encrypts it (exit 0)', async () => {
    // Prepare
    const env = { ...emu.env, OSS_SSE_GUARD_POLICY: ENCRYPT_POLICY };
    const args = ['backfill', '--bucket', 'cli-objects', '--local', '--shards', '3', '--out', dir];

    // Act
    const dry = await runCli(args, env);
    const fixed = await runCli([...args, '--remediate'], env);

    // Assess
    expect(dry.code).toBe(1);
    expect(dry.stdout).toMatch(/objects: {3}90 listed, 0 out of scope, 3 shards/);
    expect(dry.stdout).toMatch(/remaining: 30 not encrypted as required/);
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/actions: {3}alerted 0, encrypted 30/);
    const path = /report: {4}(\S+)/.exec(fixed.stdout)?.[1] ?? '';
    const report = JSON.parse(await readFile(path, 'utf8')) as BackfillReport;
    expect(report).toMatchObject({ mode: 'remediate', summary: { objects: 90 } });
    expect(emu.oss.faults.count('CopyObject')).toBe(30);
  }, 180_000);

  it('dispatches the workers to Function Compute and prints where the report will be', async () => {
    // Prepare
    stubFunctionEnv(emu, REPORT_POLICY, 'oss://cli-reports/runs');
    const env = { ...emu.env, OSS_SSE_GUARD_POLICY: REPORT_POLICY, OSS_SSE_GUARD_ACCOUNT_ID: emu.accountId };

    // Act
    const res = await runCli(['backfill', '--bucket', 'cli-objects', '--out', 'oss://cli-reports/runs'], env);
    await emu.fc.idle();

    // Assess
    expect(res.code).toBe(0);
    const summary = JSON.parse(res.stdout) as BackfillJobSummary;
    expect(summary).toMatchObject({
      mode: 'dry-run',
      buckets: [{ name: 'cli-objects', region: 'cn-hangzhou' }],
    });
    const key = summary.report.replace('oss://cli-reports/', '');
    const report = JSON.parse(emu.oss.state.getObject('cli-reports', key)?.body.toString() ?? '{}');
    expect(report).toMatchObject({ runId: summary.runId, summary: { objects: 90 } });
  }, 180_000);

  it('exits 2 without a shared oss:// location for Function Compute workers, before any call', async () => {
    // Act
    const res = await runCli(['backfill', '--bucket', 'cli-objects', '--out', dir], emu.env);

    // Assess
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/--out: Function Compute workers need an oss:\/\/bucket\/prefix location/);
  });
});
