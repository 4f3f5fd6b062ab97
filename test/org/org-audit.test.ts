/**
 * The organization audit against the emulators with the real SDKs (@alicloud/resourcemanager20200331,
 * @alicloud/sts20150401, ali-oss, KMS): every page of members listed, each member audited with its own
 * temporary credentials, a missing role and an untrusted principal each one `error` for that account,
 * credentials renewed on a long run, caps per account and across the organization.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { AUDITOR_ROLE } from '../../emulator/seed-org.js';
import { ResourceManagerGateway } from '../../shared/cloud/resource-manager.js';
import { settingsFromEnv } from '../../shared/config.js';
import type { Report } from '../../shared/model.js';
import { runOrgAudit } from '../../shared/org/run.js';
import { buildOrgDeps } from '../../shared/org/runtime.js';
import { FAST_RETRY, policyOf, startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

const ORG = 'version: 1\norganization:\n  concurrency: 3\n';
const TRUSTED = 'acs:ram::1234567890123456:role/oss-sse-guard-fn';

function orgDeps(w: World, now?: () => Date) {
  const deps = buildOrgDeps(settingsFromEnv(w.emu.env), w.emu.credentials, w.logger, FAST_RETRY);
  return now ? { ...deps, clock: { now } } : deps;
}

/** A member with an auditor role trusted by the management account's function role, and its buckets. */
function addMember(w: World, id: string, name: string, buckets: string[], trusted = [TRUSTED]) {
  w.emu.resourceManager.directory.addAccount({ accountId: id, displayName: name });
  w.emu.accounts.addRole({
    accountId: id,
    name: AUDITOR_ROLE,
    trustedPrincipals: trusted,
    policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*', 'kms:*'], Resource: '*' }] },
  });
  for (const b of buckets) w.emu.oss.state.createBucket(b, 'cn-hangzhou', { owner: id });
}

const byAccount = (r: Report) => new Map(r.organization?.accounts.map((a) => [a.accountId, a]));

describe('organization audit', () => {
  it('lists every page of members and audits each with its own temporary credentials', async () => {
    // Prepare
    world = await startWorld({ seed: 'empty' });
    world.emu.accounts.get(world.emu.credentials.accessKeyId)!.principalArn = TRUSTED;
    for (let i = 0; i < 23; i += 1) {
      const id = `20000000000000${String(i).padStart(2, '0')}`;
      addMember(world, id, `member-${i}`, [`m${i}-a`, `m${i}-b`]);
    }

    const directory = new ResourceManagerGateway({
      credentials: world.emu.credentials,
      endpoint: world.emu.resourceManager.url,
      pageSize: 10,
    });

    // Act
    const report = await runOrgAudit(
      { ...orgDeps(world), directory },
      { policy: policyOf(ORG), dryRun: true },
    );

    // Assess: three pages of 10; 23 members + the management account (no role there -> one error entry)
    expect(world.emu.resourceManager.faults.count('ListAccounts')).toBe(3);
    expect(report.organization?.accounts).toHaveLength(24);
    const m7 = report.findings.filter((f) => f.accountId === '2000000000000007');
    expect(m7.map((f) => f.bucket).sort()).toEqual(['m7-a', 'm7-b']);
    expect(m7.every((f) => f.accountName === 'member-7')).toBe(true);
    // Each member's buckets were read with credentials issued for that member's role only.
    const issued = world.emu.sts.issued.filter((c) => c.accountId === '2000000000000007');
    expect(issued).toHaveLength(1);
    expect(issued[0]?.roleArn).toBe('acs:ram::2000000000000007:role/oss-sse-guard-auditor');
    expect(new Set(world.emu.sts.issued.map((c) => c.accountId)).size).toBe(23);
    expect(report.findings.filter((f) => f.bucket !== '*')).toHaveLength(46);
  });

  it('never reads account A bucket with account B credentials (the emulator refuses cross-account)', async () => {
    // Prepare
    world = await startWorld({ seed: 'empty' });
    world.emu.accounts.get(world.emu.credentials.accessKeyId)!.principalArn = TRUSTED;
    addMember(world, '3000000000000001', 'a', ['a-bucket']);
    addMember(world, '3000000000000002', 'b', ['b-bucket']);
    await runOrgAudit(orgDeps(world), { policy: policyOf(ORG), dryRun: true });
    const bKey = world.emu.sts.issued.find((c) => c.accountId === '3000000000000002')!.accessKeyId;
    const bCreds = world.emu.accounts.get(bKey)!;

    // Act
    const asB = world.runtimeFor(bCreds);
    const listed = [];
    for await (const page of asB.oss.listBuckets()) listed.push(...page.map((b) => b.name));
    const crossRead = asB.oss
      .getBucketEncryption({ name: 'a-bucket', region: 'cn-hangzhou' })
      .catch((e) => e);

    // Assess
    expect(listed).toEqual(['b-bucket']);
    expect((await crossRead).code).toBe('AccessDenied');
  });

  it('reports a missing role and an untrusted principal each as one error for that account only', async () => {
    // Prepare
    world = await startWorld({ seed: 'empty' });
    world.emu.accounts.get(world.emu.credentials.accessKeyId)!.principalArn = TRUSTED;
    addMember(world, '4000000000000001', 'good', ['good-1', 'good-2']);
    world.emu.resourceManager.directory.addAccount({ accountId: '4000000000000002', displayName: 'no-role' });
    world.emu.oss.state.createBucket('norole-1', 'cn-hangzhou', { owner: '4000000000000002' });
    addMember(world, '4000000000000003', 'untrusting', ['ut-1'], ['acs:ram::9999999999999999:root']);

    // Act
    const report = await runOrgAudit(orgDeps(world), {
      policy: policyOf(`${ORG}  accounts: { exclude: ["1234567890123456"] }\n`),
      dryRun: true,
    });

    // Assess
    const accounts = byAccount(report);
    expect(accounts.get('4000000000000002')?.error?.code).toBe('EntityNotExist.Role');
    expect(accounts.get('4000000000000003')?.error?.code).toBe('NoPermission');
    expect(report.findings.filter((f) => f.accountId === '4000000000000002')).toEqual([
      expect.objectContaining({ status: 'error', bucket: '*', reason: expect.stringContaining('role') }),
    ]);
    expect(report.findings.filter((f) => f.accountId === '4000000000000003')).toHaveLength(1);
    expect(report.findings.filter((f) => f.accountId === '4000000000000001').map((f) => f.status)).toEqual([
      'noncompliant',
      'noncompliant',
    ]);
    // Worst first: the two broken accounts lead the per-account summary.
    expect(report.organization?.accounts.slice(0, 2).every((a) => a.error)).toBe(true);
    expect(report.organization?.skipped).toEqual([
      expect.objectContaining({ accountId: '1234567890123456', reason: expect.stringContaining('excluded') }),
    ]);
  });

  it('skips inactive accounts and selects by folder name and account-name glob', async () => {
    // Prepare
    world = await startWorld({ seed: 'demo' });

    // Act
    const report = await runOrgAudit(orgDeps(world), {
      policy: policyOf(`${ORG}  folders: { include: [Production] }\n  accounts: { exclude: ["web-*"] }\n`),
      dryRun: true,
    });

    // Assess
    expect(report.organization?.accounts.map((a) => a.accountName)).toEqual(['payments-prod']);
    const skipped = new Map(report.organization?.skipped.map((s) => [s.accountName, s.reason]));
    expect(skipped.get('closing-account')).toContain('CreateExpired');
    expect(skipped.get('web-prod')).toContain('excluded');
    expect(skipped.get('dev-sandbox')).toContain('not included');
  });

  it('renews member credentials before they expire on a long run', async () => {
    // Prepare: one clock for credential expiry (emulator) and the product; each bucket read moves it 4 min.
    let t = Date.parse('2026-12-01T00:00:00Z');
    const now = () => new Date(t);
    world = await startWorld({ seed: 'empty', credentialsNow: now });
    world.emu.accounts.get(world.emu.credentials.accessKeyId)!.principalArn = TRUSTED;
    addMember(
      world,
      '5000000000000001',
      'long',
      Array.from({ length: 30 }, (_, i) => `long-${i}`),
    );
    const policy = policyOf(`${ORG}  accounts: { include: [long] }\nlimits: { concurrency: 1 }\n`);

    // Act
    const report = await runOrgAudit(orgDeps(world, now), {
      policy,
      dryRun: true,
      onProgress: () => {
        t += 4 * 60_000;
      },
    });

    // Assess: 30 reads x 4 min = 2 h on 1 h credentials: renewed, and no read was refused as expired
    expect(report.findings.filter((f) => f.status === 'error')).toEqual([]);
    expect(world.emu.sts.issued.filter((c) => c.accountId === '5000000000000001').length).toBeGreaterThan(2);
  });

  it('holds the remediation cap per account and across the organization', async () => {
    // Prepare
    world = await startWorld({ seed: 'empty' });
    world.emu.accounts.get(world.emu.credentials.accessKeyId)!.principalArn = TRUSTED;
    for (let i = 0; i < 4; i += 1) {
      addMember(
        world,
        `600000000000000${i}`,
        `cap-${i}`,
        Array.from({ length: 5 }, (_, j) => `cap${i}-${j}`),
      );
    }
    const policy = policyOf(
      'version: 1\ndefaults: { remediate: true }\nlimits: { maxRemediationsPerRun: 3 }\n' +
        'organization: { concurrency: 4, maxRemediations: 7, accounts: { include: ["cap-*"] } }\n',
    );

    // Act
    const report = await runOrgAudit(orgDeps(world), { policy, dryRun: false });

    // Assess
    const perAccount = report.organization?.accounts.map((a) => a.byStatus.remediated) ?? [];
    expect(perAccount.every((n) => n <= 3)).toBe(true);
    expect(report.summary.byStatus.remediated).toBe(7);
    expect(report.summary.byStatus.noncompliant).toBe(13);
  });
});
