/**
 * `oss-sse-guard audit --org` as a real process against the demo organization of the emulators (real
 * Resource Manager, STS, OSS and KMS clients): exit codes, the per-account report, drift per account
 * against the last organization run, and a usage error for a policy without `organization`.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ORG_POLICY } from '../../cli/demo-org.js';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import type { Report } from '../../shared/model.js';
import { runCli } from '../helpers/cli.js';

let emu: Emulators;
let dir: string;

beforeAll(async () => {
  emu = await startEmulators({ seed: 'demo' });
  dir = await mkdtemp(join(tmpdir(), 'sse-guard-org-'));
});
afterAll(async () => {
  await emu.close();
});

describe('audit --org', () => {
  it('audits every active member, exits 3 for the accounts it could not check, and shows drift per account', async () => {
    // Prepare
    const out = join(dir, 'reports');

    // Act
    const first = await runCli(
      ['audit', '--org', '--policy', DEMO_ORG_POLICY, '--format', 'json', '--out', out],
      emu.env,
    );
    emu.oss.state.setEncryption('payments-ledger', null);
    const second = await runCli(
      ['audit', '--org', '--policy', DEMO_ORG_POLICY, '--format', 'table', '--out', out],
      emu.env,
    );

    // Assess
    expect(first.code).toBe(3);
    const report = JSON.parse(first.stdout) as Report;
    const names = report.organization?.accounts.map((a) => a.accountName);
    expect(names?.slice(0, 2).sort()).toEqual(['data-lake', 'dev-sandbox']);
    expect(report.organization?.skipped.map((s) => s.accountName)).toEqual(['closing-account']);
    expect(report.findings.find((f) => f.bucket === 'web-access-logs')).toMatchObject({
      accountId: '1000000000000002',
      accountName: 'web-prod',
    });
    expect(first.stdout).not.toContain(emu.credentials.accessKeySecret);
    expect(second.stdout).toMatch(/payments-prod \(1000000000000001\).*drift \+1 worse/);
  });

  it('refuses --org with a policy that has no organization section (exit 2, nothing called)', async () => {
    // Prepare
    const policy = join(dir, 'single.yaml');
    await writeFile(policy, 'version: 1\n');
    const before = emu.sts.issued.length;

    // Act
    const run = await runCli(['audit', '--org', '--policy', policy], emu.env);

    // Assess
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('no "organization" section');
    expect(emu.sts.issued.length).toBe(before);
  });
});
