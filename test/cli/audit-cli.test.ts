/**
 * `oss-sse-guard audit` as people and CI pipelines run it: a real process against the emulators, its
 * exit codes (DESIGN.md section 4) and outputs.
 */
import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import type { Report } from '../../shared/model.js';
import { runCli } from '../helpers/cli.js';

let emu: Emulators;
let dir: string;

beforeAll(async () => {
  emu = await startEmulators({ seed: 'empty' });
  dir = await mkdtemp(join(tmpdir(), 'sse-guard-cli-'));
});
afterAll(async () => {
  await emu.close();
});

describe('audit exit codes', () => {
  it('exits 0 when every bucket is compliant, 1 while one is not, and 0 after --remediate fixed it', async () => {
    // Prepare
    emu.oss.state.createBucket('cli-good', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    const policy = join(dir, 'remediate.yaml');
    await writeFile(policy, 'version: 1\ndefaults: { remediate: true }\n');

    // Act
    const allGood = await runCli(['audit', '--policy', policy], emu.env);
    emu.oss.state.createBucket('cli-bad', 'cn-shanghai');
    const dry = await runCli(['audit', '--policy', policy, '--format', 'json'], emu.env);
    const fixed = await runCli(
      ['audit', '--policy', policy, '--remediate', '--out', join(dir, 'out')],
      emu.env,
    );
    const after = await runCli(['audit', '--policy', policy], emu.env);

    // Assess
    expect(allGood.code).toBe(0);
    expect(allGood.stdout).toMatch(/1 buckets: compliant 1/);
    expect(dry.code).toBe(1);
    const report = JSON.parse(dry.stdout) as Report;
    expect(report.findings.find((f) => f.bucket === 'cli-bad')?.status).toBe('would-remediate');
    expect(fixed.code).toBe(0);
    expect(fixed.stdout).toMatch(/cli-bad\s+cn-shanghai\s+remediated/);
    const files = await readdir(join(dir, 'out'));
    expect(files).toContain('latest.json');
    const latest = JSON.parse(await readFile(join(dir, 'out', 'latest.json'), 'utf8')) as Report;
    expect(latest.mode).toBe('remediate');
    expect(after.code).toBe(0);
  });

  it('exits 2 on a bad policy, naming each problem, before any cloud call', async () => {
    // Prepare
    const policy = join(dir, 'bad.yaml');
    await writeFile(
      policy,
      'version: 1\nrules:\n  - id: a\n    sse: { algorithm: AES256, kmsKeyId: k }\n  - id: a\n',
    );
    const listCalls = emu.oss.faults.count('ListBuckets');

    // Act
    const result = await runCli(['audit', '--policy', policy], emu.env);

    // Assess
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('rules[0].sse.kmsKeyId: needs algorithm KMS');
    expect(result.stderr).toContain('rules[1].id: duplicates the id of rules[0]');
    expect(result.stderr).not.toMatch(/\bat .*\.ts:\d+/);
    expect(emu.oss.faults.count('ListBuckets')).toBe(listCalls);
  });

  it('exits 2 on bad flags', async () => {
    const badFormat = await runCli(['audit', '--format', 'pdf'], emu.env);
    const badConcurrency = await runCli(['audit', '--concurrency', 'lots'], emu.env);
    expect(badFormat).toMatchObject({ code: 2 });
    expect(badFormat.stderr).toContain('--format: "pdf" is not one of');
    expect(badConcurrency.code).toBe(2);
    expect(badConcurrency.stderr).toContain('--concurrency: "lots" must be a whole number');
  });

  it('exits 3 when buckets could not be checked, and a wrong secret is an error, not a pass', async () => {
    // Act
    const wrongSecret = await runCli(['audit'], { ...emu.env, ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'wrong' });
    emu.oss.faults.set('GetBucketEncryption', { throttleRate: 1 });
    const throttled = await runCli(['audit', '--format', 'json'], emu.env);
    emu.oss.faults.clear();

    // Assess
    expect(wrongSecret.code).toBe(3);
    expect(wrongSecret.stderr).toMatch(/SignatureDoesNotMatch/);
    expect(wrongSecret.stderr).not.toContain('wrong');
    expect(throttled.code).toBe(3);
    const report = JSON.parse(throttled.stdout) as Report;
    expect(report.summary.byStatus.error).toBe(report.summary.total);
  });
});

describe('policy validate', () => {
  it('exits 0 for the example policy and 2 with one line per problem otherwise', async () => {
    // Prepare
    const bad = join(dir, 'invalid.yaml');
    await writeFile(bad, 'version: 1\ndefaults: { sse: { algorithm: DES }, remediate: maybe }\n');

    // Act
    const good = await runCli(['policy', 'validate', 'examples/policy.yaml']);
    const invalid = await runCli(['policy', 'validate', bad]);

    // Assess
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid \(version 1, 6 rules/);
    expect(invalid.code).toBe(2);
    expect(invalid.stderr.trim().split('\n')).toEqual([
      `${bad}: defaults.sse.algorithm: must be one of AES256, KMS, SM4`,
      `${bad}: defaults.remediate: must be true or false`,
    ]);
  });
});
