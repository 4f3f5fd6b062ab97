/**
 * A remediating organization run fanned out over the Function Compute emulator, end to end with the real
 * SDKs (@alicloud/fc2 invoking the bucket auditor, which invokes itself per group; Resource Manager, STS,
 * ali-oss inside): several workers at once stay within the organization's cap together (the budget split
 * across groups up front), each worker journals its account's changes at the report location before
 * making them, `undo --journal` of the run restores every member with its own role, and
 * `audit --org --rerun <runId> --local` audits again only the account that failed.
 */
import type FC from '@alicloud/fc2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDITOR_ROLE } from '../../emulator/seed-org.js';
import { handler } from '../../functions/bucket-auditor/index.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import type { Report } from '../../shared/model.js';
import { runCli } from '../helpers/cli.js';
import { fcClient } from '../helpers/function-env.js';
import { stubAuditorEnv } from '../helpers/org-function.js';
import { startWorld, type World } from '../helpers/world.js';

const AUDITOR = 'oss-sse-guard-bucket-auditor';
const REPORTS = 'org-reports';
const TRUSTED = 'acs:ram::1234567890123456:role/oss-sse-guard-fn';
// Six groups of one account, each account could make 2 changes (12 in all): the organization allows 5.
const POLICY =
  'version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\nlimits: { maxRemediationsPerRun: 2 }\n' +
  'organization:\n  fanOutAbove: 2\n  accountsPerWorker: 1\n  maxRemediations: 5\n' +
  '  accounts: { exclude: ["1234567890123456"] }\n';
const ids = Array.from({ length: 6 }, (_, i) => `91000000000000${i}`);
const NO_ROLE = ids[5] as string;

let world: World;
let fc: FC;

function addRole(id: string) {
  world.emu.accounts.addRole({
    accountId: id,
    name: AUDITOR_ROLE,
    trustedPrincipals: [TRUSTED],
    policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*'], Resource: '*' }] },
  });
}

const objects = () => world.emu.oss.state.getBucket(REPORTS)?.objects ?? new Map();
function readJson<T>(key: string): T {
  const obj = objects().get(key);
  if (!obj) throw new Error(`no ${key}`);
  return JSON.parse(obj.body.toString()) as T;
}
/** Journal records (parsed) of every member under the report location. */
function journalRecords(): Array<{ key: string; kind: string; accountId?: string; bucket?: string }> {
  return [...objects().entries()]
    .filter(([k]) => /^runs\/members\/\d+\/journal\//.test(k))
    .map(([key, o]) => ({ key, ...JSON.parse(o.body.toString()) }));
}

async function invoke(event: unknown): Promise<Record<string, unknown>> {
  const res = await fc.post(`/functions/${AUDITOR}/invocations`, JSON.stringify(event), {}, {});
  await world.emu.fc.idle();
  if (typeof res.data !== 'string') throw new Error(`invocation failed: ${JSON.stringify(res.data)}`);
  return JSON.parse(res.data);
}

beforeAll(async () => {
  world = await startWorld({ seed: 'empty', asyncConcurrency: 3 });
  const { emu } = world;
  emu.accounts.add({
    accessKeyId: 'STS.FNKEY0002',
    accessKeySecret: 'fn-secret',
    securityToken: 'fn-token',
    principalArn: TRUSTED,
  });
  // The CLI (undo, re-run) runs as the same trusted principal in the management account.
  emu.accounts.get(emu.credentials.accessKeyId)!.principalArn = TRUSTED;
  emu.oss.state.createBucket(REPORTS, 'cn-hangzhou');
  for (const [i, id] of ids.entries()) {
    emu.resourceManager.directory.addAccount({ accountId: id, displayName: `fleet-${i}` });
    if (id !== NO_ROLE) addRole(id);
    for (const b of ['a', 'b', 'c'])
      emu.oss.state.createBucket(`fleet-${i}-${b}`, 'cn-hangzhou', { owner: id });
  }
  emu.fc.register('', AUDITOR, (event: Buffer | string, context: FcContext) => handler(event, context), {
    timeoutSec: 60,
    credentials: { accessKeyId: 'STS.FNKEY0002', accessKeySecret: 'fn-secret', securityToken: 'fn-token' },
  });
  fc = fcClient(emu);
  fc.version = '2023-03-30';
  stubAuditorEnv(world, { auditor: AUDITOR, policy: POLICY, report: `oss://${REPORTS}/runs` });
}, 30_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await world.close();
});

describe('remediating organization run over Function Compute', () => {
  let runId = '';

  it('keeps the organization total within its cap across concurrent workers, journaling each change first', async () => {
    // Prepare: at every PutBucketEncryption, count the intents already durable at the report location
    const ahead: number[] = [];
    let puts = 0;
    const stop = world.emu.oss.faults.watch((op, phase) => {
      if (op !== 'PutBucketEncryption' || phase !== 'received') return;
      puts += 1;
      ahead.push(journalRecords().filter((r) => r.kind === 'intent').length - puts);
    });

    // Act
    const started = await invoke({ triggerTime: '2026-12-01T00:00:00Z', triggerName: 'timer', payload: '' });
    stop();
    runId = String(started.runId);

    // Assess
    expect(started).toMatchObject({ run: 'organization-fan-out', groups: 6, accounts: 6 });
    const manifest = readJson<{ budgets: number[] }>(`runs/org/${runId}/manifest.json`);
    expect(manifest.budgets).toEqual([1, 1, 1, 1, 1, 0]);
    const report = readJson<Report>('runs/latest.json');
    expect(report.runId).toBe(runId);
    expect(report.summary.byStatus.remediated).toBe(5);
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(5);
    expect(ahead).toHaveLength(5);
    expect(ahead.every((n) => n >= 0)).toBe(true);
    // Each remediated account's journal is its own, every record naming it.
    const records = journalRecords().filter((r) => r.key.includes(`/journal/${runId}/`));
    for (const id of ids.slice(0, 5)) {
      const own = records.filter((r) => r.key.startsWith(`runs/members/${id}/`));
      expect(own.map((r) => r.kind)).toEqual(['start', 'intent', 'applied', 'end']);
      expect(own.every((r) => r.accountId === id)).toBe(true);
      expect(objects().has(`runs/org/${runId}/journals/${id}.json`)).toBe(true);
    }
    expect(report.organization?.accounts.find((a) => a.accountId === NO_ROLE)?.error).toBeDefined();
  }, 90_000);

  it('re-runs only the failed account from the CLI with --local, through the same fan-out code', async () => {
    // Prepare
    addRole(NO_ROLE);
    const before = world.emu.sts.issued.length;

    // Act
    const rerun = await runCli(
      [
        'audit',
        '--org',
        '--rerun',
        runId,
        '--local',
        '--remediate',
        '--out',
        `oss://${REPORTS}/runs`,
        '--format',
        'json',
      ],
      { ...world.emu.env, OSS_SSE_GUARD_POLICY: POLICY, LOG_LEVEL: 'silent' },
    );

    // Assess
    expect(rerun.stderr).toContain(`of run ${runId}: 1 account(s) audited again`);
    const report = JSON.parse(rerun.stdout) as Report;
    expect(report.runId).not.toBe(runId);
    expect(world.emu.sts.issued.slice(before).map((c) => c.accountId)).toEqual([NO_ROLE]);
    expect(report.organization?.accounts).toHaveLength(6);
    expect(report.organization?.accounts.find((a) => a.accountId === NO_ROLE)?.error).toBeUndefined();
    expect(report.findings.filter((f) => f.accountId === NO_ROLE && f.status === 'remediated')).toHaveLength(
      2,
    );
    expect(readJson<Report>('runs/latest.json').runId).toBe(report.runId);
  }, 90_000);

  it('refuses --rerun without --org, naming the flag', async () => {
    // Act
    const res = await runCli(['audit', '--rerun', runId, '--out', `oss://${REPORTS}/runs`], world.emu.env);

    // Assess
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('--rerun: re-runs an organization run; add --org');
  });

  it("restores every member of the fanned-out run with that member's role on `undo --journal`", async () => {
    // Prepare
    const before = world.emu.sts.issued.length;
    const changed = ids.slice(0, 5);

    // Act
    const undo = await runCli(
      ['undo', '--journal', `oss://${REPORTS}/runs/org/${runId}`, '--apply'],
      world.emu.env,
    );

    // Assess
    expect(undo.code).toBe(0);
    expect(undo.stdout.match(/ restored /g)).toHaveLength(5);
    const sessions = world.emu.sts.issued.slice(before);
    expect(sessions.map((s) => s.accountId).sort()).toEqual([...changed].sort());
    expect(sessions.every((s) => s.roleArn === `acs:ram::${s.accountId}:role/${AUDITOR_ROLE}`)).toBe(true);
  }, 90_000);
});
