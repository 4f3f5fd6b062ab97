/**
 * The one CLI runner (cli/run.ts) through the real `oss-sse-guard` entry: one test per kind of error
 * (policy, usage, cloud, unexpected), each printed one way whatever the command, with its exit code from
 * the one table (DESIGN.md section 4: 2 usage or policy error, 3 could not be checked).
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { runCli } from '../helpers/cli.js';

let emu: Emulators;
let dir: string;

beforeAll(async () => {
  emu = await startEmulators({ seed: 'empty' });
  emu.oss.state.createBucket('runner-bucket', 'cn-hangzhou');
  dir = await mkdtemp(join(tmpdir(), 'sse-guard-runner-'));
});
afterAll(async () => {
  await emu.close();
});

const STACK = /^\s+at .*:\d+/m;

describe('the one CLI runner', () => {
  it('prints a policy error identically for audit, check-object and backfill, exit 2, before any cloud call', async () => {
    // Prepare
    const policy = join(dir, 'bad.yaml');
    await writeFile(
      policy,
      'version: 1\nrules:\n  - id: a\n    sse: { algorithm: AES256, kmsKeyId: k }\n  - id: a\n',
    );
    const calls = emu.oss.faults.count('ListBuckets') + emu.oss.faults.count('GetBucketLocation');

    // Act
    const runs = await Promise.all([
      runCli(['audit', '--policy', policy], emu.env),
      runCli(['check-object', '--bucket', 'runner-bucket', '--key', 'a.txt', '--policy', policy], emu.env),
      runCli(
        ['backfill', '--bucket', 'runner-bucket', '--local', '--out', join(dir, 'bf'), '--policy', policy],
        emu.env,
      ),
    ]);

    // Assess
    const expected = [
      `Policy ${policy} is invalid: rules[0].sse.kmsKeyId: needs algorithm KMS (or minimum kms / kms-cmk)`,
      `Policy ${policy} is invalid: rules[1].id: duplicates the id of rules[0]`,
    ];
    for (const run of runs) {
      expect(run.code, run.stderr).toBe(2);
      expect(run.stdout).toBe('');
      expect(run.stderr.trim().split('\n')).toEqual(expected);
    }
    expect(emu.oss.faults.count('ListBuckets') + emu.oss.faults.count('GetBucketLocation')).toBe(calls);
  });

  it('names the bad flag and quotes its value in a usage error, exit 2, for every command', async () => {
    // Act
    const [audit, check, backfill, iac, ramPolicy] = await Promise.all([
      runCli(['audit', '--regions', 'cn-hangzhou,Mars One'], emu.env),
      runCli(['check-object', '--bucket', 'Not_A_Bucket', '--key', 'k'], emu.env),
      runCli(['backfill', '--bucket', 'runner-bucket', '--local', '--shards', '0'], emu.env),
      runCli(['iac', 'check', 'plan.json', '--format', 'pdf'], emu.env),
      runCli(['ram-policy', '--function', 'nope'], emu.env),
    ]);

    // Assess
    expect(audit).toMatchObject({ code: 2, stdout: '' });
    expect(audit.stderr).toBe('error: --regions: "Mars One" is not a region id such as cn-hangzhou\n');
    expect(check.stderr).toBe('error: --bucket: "Not_A_Bucket" is not a bucket name\n');
    expect(backfill.stderr).toBe('error: --shards: "0" must be a whole number from 1 to 256\n');
    expect(iac.stderr).toBe('error: --format: "pdf" is not one of table, json, sarif\n');
    expect(ramPolicy.stderr).toMatch(/^error: --function: "nope" must be all or one of bucket-auditor, /);
    for (const run of [check, backfill, iac, ramPolicy]) expect(run.code).toBe(2);
  });

  it('prints a cloud error as one line saying what could not be done, exit 3, never the secret', async () => {
    // Prepare
    const secret = 'RunnerWrongSecretZq8Xv2Lp4Nm6';
    const env = { ...emu.env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: secret };

    // Act
    const [check, backfill] = await Promise.all([
      runCli(['check-object', '--bucket', 'runner-bucket', '--key', 'a.txt'], env),
      runCli(['backfill', '--bucket', 'runner-bucket', '--local', '--out', join(dir, 'cloud')], env),
    ]);

    // Assess
    expect(check.code).toBe(3);
    expect(check.stderr).toMatch(/^error: the object could not be checked: .*SignatureDoesNotMatch/);
    expect(backfill.code).toBe(3);
    expect(backfill.stderr).toMatch(/^error: the backfill could not run: .*SignatureDoesNotMatch/m);
    for (const run of [check, backfill]) {
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr + run.stdout).not.toContain(secret);
      expect(run.stderr).not.toMatch(STACK);
    }
  });

  it('prints an unexpected failure as one line without a stack trace, with the failed code', async () => {
    // Prepare: the KMS emulator takes --port + 1, which something else already listens on.
    const busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    const taken = (busy.address() as net.AddressInfo).port;

    // Act
    const run = await runCli(['emulator', '--port', String(taken - 1)]).finally(
      () => new Promise((resolve) => busy.close(resolve)),
    );

    // Assess
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/^error: the emulators could not start: .*EADDRINUSE/);
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).not.toMatch(STACK);
  });
});
