/**
 * "The record of a change can be lost" (issue 14), each break as a test against the emulators with the
 * real SDKs: the report location is checked before the first change, every change is journaled as it
 * happens, local files are written atomically, request timeouts come from the deadline, and an
 * ambiguous failure is settled by reading the bucket back.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { runAudit } from '../../shared/audit/run.js';
import { journalUndoChanges, undoChanges } from '../../shared/audit/undo.js';
import { LocalStore } from '../../shared/report/store.js';
import { locationOf, ReportLocationError } from '../../shared/safety/place.js';
import { runCli } from '../helpers/cli.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import { journalOf, kindsFor, remediate, tempDir } from './helpers.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const AES = 'version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\n';

function seedUnencrypted(w: World, n: number) {
  for (let i = 0; i < n; i += 1) w.emu.oss.state.createBucket(`rec-${i}`, 'cn-hangzhou');
}
const encryptionOf = (w: World, name: string) => w.emu.oss.state.getBucket(name)?.encryption ?? null;

describe('the report location is checked before the first change', () => {
  it('exits 2 for a local --out that cannot be written, naming it, with no bucket changed', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 6);
    const dir = await tempDir('unwritable');
    const file = join(dir, 'a-file');
    await writeFile(file, 'not a folder');

    // Act
    const run = await runCli(
      ['audit', '--policy', AES, '--remediate', '--out', join(file, 'out')],
      world.emu.env,
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`Report location ${join(file, 'out')}`);
    expect(run.stderr).toContain('nothing was changed');
    for (let i = 0; i < 6; i += 1) expect(encryptionOf(world, `rec-${i}`)).toBeNull();
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
  });

  it('exits 2 for an oss:// location whose bucket does not exist, with no bucket changed', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 6);

    // Act
    const run = await runCli(
      ['audit', '--policy', AES, '--remediate', '--out', 'oss://no-such-report-bucket/reports'],
      world.emu.env,
    );

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/Report location oss:\/\/no-such-report-bucket\/reports: .*NoSuchBucket/);
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
    for (let i = 0; i < 6; i += 1) expect(encryptionOf(world, `rec-${i}`)).toBeNull();
  });

  it('refuses an oss:// location that answers 403 to PutObject before any change', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 6);
    world.emu.oss.state.createBucket('reports-403', 'cn-hangzhou');
    const denied = { accessKeyId: 'DENIEDREPORTS', accessKeySecret: 'denied-secret' };
    world.emu.accounts.add({
      ...denied,
      policy: {
        Version: '1',
        Statement: [
          { Effect: 'Allow', Action: '*', Resource: '*' },
          { Effect: 'Deny', Action: 'oss:PutObject', Resource: 'acs:oss:*:*:reports-403/*' },
        ],
      },
    });

    // Act
    const run = remediate(world, AES, 'oss://reports-403/audit', { runtime: world.runtimeFor(denied) });

    // Assess
    await expect(run).rejects.toThrow(ReportLocationError);
    await expect(run).rejects.toThrow(/AccessDenied.*nothing was changed/);
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(0);
  });
});

describe('every change is journaled as it happens', () => {
  it('writes intent before and the outcome after each change, locally, with the journal named in the summary', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 3);
    const dir = await tempDir('journal');

    // Act
    const { report, summary } = await remediate(world, AES, dir);

    // Assess
    expect(report.summary.byStatus.remediated).toBe(3);
    expect(summary.journal).toBe(join(dir, 'journal', `${report.runId}.jsonl`));
    const entries = await journalOf(dir, report.runId);
    expect(entries[0]?.kind).toBe('start');
    expect(entries.at(-1)?.kind).toBe('end');
    for (let i = 0; i < 3; i += 1) expect(kindsFor(entries, `rec-${i}`)).toEqual(['intent', 'applied']);
  });

  it('journals to an oss:// location as create-only objects that undo can read', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 2);
    world.emu.oss.state.createBucket('reports-ok', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });

    // Act
    const { report, summary } = await remediate(world, AES, 'oss://reports-ok/audit');
    const keys = [...(world.emu.oss.state.getBucket('reports-ok')?.objects.keys() ?? [])];

    // Assess
    expect(summary.journal).toBe(`oss://reports-ok/audit/journal/${report.runId}/`);
    const journalKeys = keys.filter((k) => k.startsWith(`audit/journal/${report.runId}/`));
    // start, two intents, two outcomes, end
    expect(journalKeys).toHaveLength(6);
    expect(keys).toContain('audit/locks/0000000001.json');
    expect(keys).toContain('audit/locks/0000000001.released');
  });
});

describe('undo from the journal alone', () => {
  it('restores a run that left no report, from `undo --journal`', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 2);
    const dir = await tempDir('journal-undo');
    const { report } = await remediate(world, AES, dir);
    const journal = join(dir, 'journal', `${report.runId}.jsonl`);

    // Act
    const dry = await runCli(['undo', '--journal', journal], world.emu.env);
    const applied = await runCli(['undo', '--journal', journal, '--apply'], world.emu.env);

    // Assess
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/rec-0\s+cn-hangzhou\s+would-restore/);
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(/rec-1\s+cn-hangzhou\s+restored/);
    expect(encryptionOf(world, 'rec-0')).toBeNull();
    expect(encryptionOf(world, 'rec-1')).toBeNull();
  });

  it('finds the report location of a stored report or journal', () => {
    // Prepare
    const refs = [
      'reports/r1.json',
      '/tmp/out/journal/r1.jsonl',
      'oss://b/audit/2026/12/01/r1.json',
      'oss://b/2026/12/01/r1.json',
      'oss://b/audit/journal/r1/',
    ];

    // Act
    const locations = refs.map(locationOf);

    // Assess
    expect(locations).toEqual(['reports', '/tmp/out', 'oss://b/audit', 'oss://b', 'oss://b/audit']);
  });
});

describe('local files are written atomically', () => {
  it('keeps the previous latest.json whole when a write fails midway (a kill, a full disk)', async () => {
    // Prepare
    const dir = await tempDir('atomic');
    const store = new LocalStore(dir);
    await store.write('latest.json', '{"previous":true}');
    function* failing() {
      yield '{"half":';
      throw new Error('ENOSPC: no space left on device');
    }

    // Act
    const write = store.write('latest.json', failing);

    // Assess
    await expect(write).rejects.toThrow(/ENOSPC/);
    expect(await readFile(join(dir, 'latest.json'), 'utf8')).toBe('{"previous":true}');
    expect(await readdir(dir)).toEqual(['latest.json']);
  });
});

describe('request timeouts come from the remaining deadline', () => {
  it('cuts a slow GetBucketEncryption at the deadline instead of the 30 s client timeout', async () => {
    // Prepare
    world = await startWorld({ retry: { baseMs: 1, capMs: 2, maxAttempts: 2 } });
    world.emu.oss.state.createBucket('slow-1', 'cn-hangzhou');
    world.emu.oss.faults.set('GetBucketEncryption', { latencyMs: 20_000 });

    // Act
    const report = await runAudit(world.runtime, {
      policy: policyOf(AES),
      dryRun: true,
      deadline: Date.now() + 400,
      reserveMs: 0,
    });

    // Assess: a timeout of the request itself, not an answer 20 s later
    expect(report.findings[0]).toMatchObject({ bucket: 'slow-1', status: 'error' });
    expect(report.findings[0]?.error?.code).toMatch(/Timeout/);
  });

  it('ends the CLI run within its --deadline-seconds when the service answers after two minutes', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 2);
    world.emu.oss.faults.set('GetBucketEncryption', { latencyMs: 120_000 });
    const dir = await tempDir('cli-deadline');

    // Act: runCli gives up after 60 s, so only a run cut by its own deadline can exit 3 with a report
    const run = await runCli(
      ['audit', '--policy', AES, '--remediate', '--out', dir, '--deadline-seconds', '4', '--format', 'json'],
      world.emu.env,
    );

    // Assess
    expect(run.code).toBe(3);
    const report = JSON.parse(run.stdout) as { findings: Array<{ status: string }> };
    expect(report.findings.map((f) => f.status)).toEqual(['error', 'error']);
    expect(await readdir(dir)).toContain('latest.json');
  });

  it('cuts a slow KMS pre-flight at the deadline and blocks the change', async () => {
    // Prepare
    world = await startWorld({ retry: { baseMs: 1, capMs: 2, maxAttempts: 2 } });
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    world.emu.oss.state.createBucket('slow-kms', 'cn-hangzhou');
    world.emu.kms.faults.set('DescribeKey', { latencyMs: 20_000 });
    const policy = policyOf(
      `version: 1\ndefaults: { sse: { algorithm: KMS, kmsKeyId: "${key.keyId}" }, remediate: true }\n`,
    );

    // Act
    const report = await runAudit(world.runtime, {
      policy,
      dryRun: false,
      deadline: Date.now() + 1500,
      reserveMs: 1000,
    });

    // Assess
    expect(report.findings[0]?.status).toBe('blocked');
    expect(report.findings[0]?.reason).toMatch(/could not be checked/);
    expect(encryptionOf(world, 'slow-kms')).toBeNull();
  });
});

describe('an ambiguous failure is settled by reading the bucket back', () => {
  it('reports remediated, and journals applied, when every answer to the change was lost after it applied', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 1);
    const dir = await tempDir('lost');
    world.emu.oss.faults.set('PutBucketEncryption', { dropRate: 1, dropPhase: 'after' });

    // Act
    const { report } = await remediate(world, AES, dir);
    const entries = await journalOf(dir, report.runId);
    const undo = await undoChanges(world.runtime.oss, journalUndoChanges(entries), report.runId, {
      apply: true,
    });

    // Assess
    expect(report.findings[0]).toMatchObject({ status: 'remediated', observed: { algorithm: 'AES256' } });
    expect(report.findings[0]?.reason).toMatch(/answer was lost/);
    expect(kindsFor(entries, 'rec-0')).toEqual(['intent', 'applied']);
    expect(undo.map((s) => s.status)).toEqual(['restored']);
    expect(encryptionOf(world, 'rec-0')).toBeNull();
  });

  it('reports error, and journals not-applied, when the service failed before applying', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 1);
    const dir = await tempDir('failed');
    world.emu.oss.faults.set('PutBucketEncryption', { errorRate: 1, errorStatus: 503 });

    // Act
    const { report } = await remediate(world, AES, dir);
    const entries = await journalOf(dir, report.runId);
    const undo = await undoChanges(world.runtime.oss, journalUndoChanges(entries), report.runId, {
      apply: true,
    });

    // Assess
    expect(report.findings[0]?.status).toBe('error');
    expect(report.findings[0]?.reason).toMatch(/the change did not apply/);
    expect(kindsFor(entries, 'rec-0')).toEqual(['intent', 'not-applied']);
    expect(undo.map((s) => s.status)).toEqual(['skipped']);
  });

  it('keeps a change made just before the service went away: journaled, reported unknown, undone afterwards', async () => {
    // Prepare
    world = await startWorld();
    seedUnencrypted(world, 1);
    const dir = await tempDir('restart');
    const faults = world.emu.oss.faults;
    // The service restarts right after applying the change: every connection is refused for a while.
    const stop = faults.watch((op, phase) => {
      if (op === 'PutBucketEncryption' && phase === 'handled') faults.set('*', { dropRate: 1, times: 40 });
    });

    // Act
    const { report } = await remediate(world, AES, dir);
    stop();
    faults.clear();
    const entries = await journalOf(dir, report.runId);
    const undo = await undoChanges(world.runtime.oss, journalUndoChanges(entries), report.runId, {
      apply: true,
    });

    // Assess
    expect(report.findings[0]?.status).toBe('error');
    expect(report.findings[0]?.reason).toMatch(/not verified/);
    expect(kindsFor(entries, 'rec-0')[0]).toBe('intent');
    expect(undo.map((s) => s.status)).toEqual(['restored']);
    expect(encryptionOf(world, 'rec-0')).toBeNull();
  });
});
