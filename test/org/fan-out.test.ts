/**
 * The organization audit fanned out over the Function Compute emulator, end to end with the real SDKs
 * (@alicloud/fc2 invoking the bucket auditor, which invokes itself asynchronously per group of accounts;
 * Resource Manager, STS, ali-oss inside): every account once in the aggregate, published once also when
 * the invocation that aggregated is retried, the deadline handing work to continuations, and a re-run
 * that audits only the accounts that failed.
 */
import type FC from '@alicloud/fc2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { AUDITOR_ROLE } from '../../emulator/seed-org.js';
import { handler } from '../../functions/bucket-auditor/index.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import type { Report } from '../../shared/model.js';
import { fcClient } from '../helpers/function-env.js';
import { stubAuditorEnv } from '../helpers/org-function.js';
import { startWorld, type World } from '../helpers/world.js';

const AUDITOR = 'oss-sse-guard-bucket-auditor';
const REPORTS = 'org-reports';
const TRUSTED = 'acs:ram::1234567890123456:role/oss-sse-guard-fn';
const POLICY =
  'version: 1\norganization:\n  fanOutAbove: 3\n  accountsPerWorker: 3\n  accounts: { exclude: ["1234567890123456"] }\n';

let world: World;
let fc: FC;
const outcomes: Array<{ group?: number; status?: string; error?: string }> = [];
let crashFirstAggregate = false;

function addMember(id: string, name: string, withRole = true) {
  world.emu.resourceManager.directory.addAccount({ accountId: id, displayName: name });
  if (withRole) addRole(id);
  for (const b of ['a', 'b']) world.emu.oss.state.createBucket(`${name}-${b}`, 'cn-hangzhou', { owner: id });
}

function addRole(id: string) {
  world.emu.accounts.addRole({
    accountId: id,
    name: AUDITOR_ROLE,
    trustedPrincipals: [TRUSTED],
    policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*'], Resource: '*' }] },
  });
}

async function readJson<T>(key: string): Promise<T> {
  const obj = world.emu.oss.state.getBucket(REPORTS)?.objects.get(key);
  if (!obj) throw new Error(`no ${key}`);
  return JSON.parse(obj.body.toString()) as T;
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
    accessKeyId: 'STS.FNKEY0001',
    accessKeySecret: 'fn-secret',
    securityToken: 'fn-token',
    principalArn: TRUSTED,
  });
  emu.oss.state.createBucket(REPORTS, 'cn-hangzhou');
  for (let i = 0; i < 8; i += 1) addMember(`70000000000000${i}`, `member-${i}`, i !== 5);
  emu.fc.register(
    '',
    AUDITOR,
    async (event: Buffer | string, context: FcContext) => {
      const result = (await handler(event, context)) as { status?: string };
      const job = JSON.parse(String(event)) as { group?: number };
      outcomes.push({ group: job.group, status: result?.status });
      if (crashFirstAggregate && result?.status === 'aggregated') {
        crashFirstAggregate = false;
        throw new Error('instance lost after aggregating');
      }
      return result;
    },
    // A short invocation: each worker has time for one account, then hands the rest to a continuation.
    {
      timeoutSec: 6,
      credentials: { accessKeyId: 'STS.FNKEY0001', accessKeySecret: 'fn-secret', securityToken: 'fn-token' },
    },
  );
  fc = fcClient(emu);
  fc.version = '2023-03-30';
  stubAuditorEnv(world, { auditor: AUDITOR, policy: POLICY, report: `oss://${REPORTS}/runs` });
}, 30_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await world.close();
});

describe('organization audit over Function Compute', () => {
  let firstRun = '';

  it('fans out per group, continues past the deadline, and aggregates every account exactly once despite a retry', async () => {
    // Prepare: slow reads, so one account fills an invocation's time
    world.emu.oss.faults.set('GetBucketEncryption', { latencyMs: 400 });
    crashFirstAggregate = true;

    // Act
    const started = await invoke({ triggerTime: '2026-12-01T00:00:00Z', triggerName: 'timer', payload: '' });
    firstRun = String(started.runId);

    // Assess
    expect(started).toMatchObject({ run: 'organization-fan-out', groups: 3, accounts: 8 });
    const aggregated = await readJson<{ by: string; accounts: number }>(
      `runs/org/${firstRun}/aggregated.json`,
    );
    expect(aggregated.accounts).toBe(8);
    const report = await readJson<Report>('runs/latest.json');
    expect(report.organization?.accounts).toHaveLength(8);
    expect(report.findings.filter((f) => f.bucket !== '*')).toHaveLength(14);
    expect(new Set(report.findings.map((f) => `${f.accountId}/${f.bucket}`)).size).toBe(
      report.findings.length,
    );
    expect(report.organization?.accounts[0]?.accountName).toBe('member-5');
    // The retried aggregator found the report published and did not publish again.
    const aggregatedRuns = outcomes.filter((o) => o.status === 'aggregated');
    expect(aggregatedRuns).toHaveLength(2);
    expect(new Set(aggregatedRuns.map((o) => o.group)).size).toBe(1);
    const reportObj = world.emu.oss.state.getBucket(REPORTS)?.objects.get('runs/latest.json');
    const markObj = world.emu.oss.state
      .getBucket(REPORTS)
      ?.objects.get(`runs/org/${firstRun}/aggregated.json`);
    expect(reportObj!.lastModified.getTime()).toBeLessThanOrEqual(markObj!.lastModified.getTime());
    // Deadline per invocation: groups of three accounts needed continuations.
    expect(outcomes.filter((o) => o.status === 'continued').length).toBeGreaterThan(0);
    // Each account assumed once (no worker audited an account a previous attempt had written).
    const perAccount = new Map<string, number>();
    for (const c of world.emu.sts.issued) perAccount.set(c.accountId, (perAccount.get(c.accountId) ?? 0) + 1);
    expect([...perAccount.values()].every((n) => n === 1)).toBe(true);
  }, 60_000);

  it('re-runs only the accounts that failed and carries the others into the report', async () => {
    // Prepare
    addRole('700000000000005');
    const before = world.emu.sts.issued.length;

    // Act
    const rerun = await invoke({ mode: 'org-rerun', runId: firstRun });

    // Assess
    expect(rerun).toMatchObject({ run: 'organization-rerun', accounts: 1 });
    const issued = world.emu.sts.issued.slice(before);
    expect(issued.map((c) => c.accountId)).toEqual(['700000000000005']);
    const report = await readJson<Report>('runs/latest.json');
    expect(report.runId).toBe(rerun.runId);
    expect(report.organization?.accounts).toHaveLength(8);
    expect(report.organization?.accounts.find((a) => a.accountName === 'member-5')?.error).toBeUndefined();
    expect(
      report.findings
        .filter((f) => f.accountName === 'member-5')
        .map((f) => f.bucket)
        .sort(),
    ).toEqual(['member-5-a', 'member-5-b']);
  }, 60_000);
});
