/**
 * Organization case: N member accounts x B buckets, every emulator request delayed L ms, fanned out over
 * the Function Compute emulator (the real bucket-auditor handler invoking itself per group of accounts,
 * W async invocations at once; fc2, Resource Manager, STS and ali-oss clients). Figures: the wall time
 * against the bound (accounts / W x one account's time, one account measured alone first), and the
 * aggregator's peak RSS measured in a process of its own (bench/org-aggregate-child.ts) against 512 MB.
 *
 * Runs the emulators in this process (the FC emulator runs the handler in-process, as the tests do), so
 * its wall time includes their CPU: on a shared 2-core machine the bound is not reachable; both are shown.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import FC from '@alicloud/fc2';
import { startEmulators } from '../../emulator/index.js';
import { AUDITOR_ROLE } from '../../emulator/seed-org.js';
import { handler } from '../../functions/bucket-auditor/index.js';
import { settingsFromEnv } from '../../shared/config.js';
import { createLogger } from '../../shared/log.js';
import { runOrgAudit } from '../../shared/org/run.js';
import { buildOrgDeps } from '../../shared/org/runtime.js';
import { policyFromText } from '../../shared/policy/load.js';
import { REPO, RUN_TS } from '../emulator-process.js';
import { type Row, round } from '../measure.js';

const run = promisify(execFile);
const TRUSTED = 'acs:ram::1234567890123456:role/oss-sse-guard-fn';
const AUDITOR = 'oss-sse-guard-bucket-auditor';

export interface OrgCaseOptions {
  accounts: number;
  buckets: number;
  latencyMs: number;
  workers: number;
  accountsPerWorker: number;
}

export async function orgCase(
  o: OrgCaseOptions,
): Promise<{ rows: Row[]; figures: Record<string, number | boolean | null> }> {
  const emu = await startEmulators({ seed: 'empty', asyncConcurrency: o.workers });
  const reports = await mkdtemp(join(os.tmpdir(), 'oss-sse-guard-bench-org-'));
  const saved = { ...process.env };
  try {
    emu.accounts.add({
      accessKeyId: 'STS.BENCHFN01',
      accessKeySecret: 'fn-secret',
      securityToken: 'fn-token',
      principalArn: TRUSTED,
    });
    const key = emu.accounts.get(emu.credentials.accessKeyId);
    if (key) key.principalArn = TRUSTED;
    for (let a = 0; a < o.accounts; a += 1) {
      const id = `8${String(a).padStart(15, '0')}`;
      emu.resourceManager.directory.addAccount({ accountId: id, displayName: `bench-${a}` });
      emu.accounts.addRole({
        accountId: id,
        name: AUDITOR_ROLE,
        trustedPrincipals: [TRUSTED],
        policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: ['oss:*'], Resource: '*' }] },
      });
      for (let b = 0; b < o.buckets; b += 1) {
        emu.oss.state.createBucket(`a${a}-b${String(b).padStart(4, '0')}`, 'cn-hangzhou', {
          owner: id,
          ...(b % 2 === 0 ? { encryption: { algorithm: 'AES256' as const } } : {}),
        });
      }
    }
    for (const f of [emu.oss.faults, emu.sts.faults, emu.resourceManager.faults])
      f.set('*', { latencyMs: o.latencyMs });
    const policy = `version: 1\norganization:\n  fanOutAbove: 1\n  accountsPerWorker: ${o.accountsPerWorker}\n  accounts: { exclude: ["1234567890123456"] }\n`;
    Object.assign(process.env, {
      ...emu.env,
      OSS_SSE_GUARD_POLICY: policy,
      OSS_SSE_GUARD_REPORT: reports,
      OSS_SSE_GUARD_AUDITOR_FUNCTION: AUDITOR,
      ALIBABA_CLOUD_ACCESS_KEY_ID: '',
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: '',
      LOG_LEVEL: 'silent',
    });

    // One account alone, in one process: the unit of the bound.
    const settings = settingsFromEnv(emu.env);
    const logger = createLogger({ level: 'silent' });
    const deps = buildOrgDeps(settings, emu.credentials, logger);
    const loaded = policyFromText(policy, 'bench-org.yaml');
    const t0 = performance.now();
    await runOrgAudit(deps, {
      policy: loaded,
      dryRun: true,
      members: [{ accountId: '8000000000000000', accountName: 'bench-0' }],
    });
    const oneAccountMs = performance.now() - t0;

    // The fan-out.
    emu.fc.register('', AUDITOR, handler, {
      timeoutSec: 600,
      credentials: { accessKeyId: 'STS.BENCHFN01', accessKeySecret: 'fn-secret', securityToken: 'fn-token' },
    });
    const fc = new FC(emu.accountId, {
      accessKeyID: emu.credentials.accessKeyId,
      accessKeySecret: emu.credentials.accessKeySecret,
      region: 'cn-hangzhou',
      endpoint: emu.fc.url,
    });
    fc.version = '2023-03-30';
    const t1 = performance.now();
    const res = await fc.post(
      `/functions/${AUDITOR}/invocations`,
      JSON.stringify({ triggerTime: new Date().toISOString(), triggerName: 'bench', payload: '' }),
      {},
      {},
    );
    await emu.fc.idle();
    const wallMs = performance.now() - t1;
    const started = JSON.parse(String(res.data)) as { runId: string; groups: number };
    const boundMs = (o.accounts / o.workers) * oneAccountMs;

    // The aggregator alone in its own process.
    const agg = await run(
      process.execPath,
      [RUN_TS, 'bench/org-aggregate-child.ts', join(reports, 'org', started.runId), join(reports, 'again')],
      {
        cwd: REPO,
        maxBuffer: 16 * 1024 * 1024,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp' },
      },
    );
    const line = agg.stdout.split('\n').find((l) => l.startsWith('BENCH_RESULT ')) ?? 'BENCH_RESULT {}';
    const a = JSON.parse(line.slice('BENCH_RESULT '.length)) as {
      peakRssMB?: number;
      findings?: number;
      ms?: number;
    };
    const rows: Row[] = [
      {
        case: `one account alone (${o.buckets} buckets, L=${o.latencyMs} ms)`,
        wallMs: round(oneAccountMs, 0),
      },
      {
        case: `organization: ${o.accounts} accounts x ${o.buckets} buckets over FC, ${o.workers} workers, ${started.groups} groups`,
        wallMs: round(wallMs, 0),
        boundMs: round(boundMs, 0),
        ratio: round(wallMs / boundMs, 2),
      },
      {
        case: `aggregator alone: ${a.findings ?? '?'} findings, 4 formats + latest.json (tsx loader included)`,
        wallMs: round(a.ms ?? 0, 0),
        note: `peak RSS ${round(a.peakRssMB ?? 0, 0)} MB of a 512 MB function`,
      },
    ];
    return {
      rows,
      figures: {
        'org.accounts': o.accounts,
        'org.bucketsPerAccount': o.buckets,
        'org.workers': o.workers,
        'org.oneAccountMs': round(oneAccountMs, 0),
        'org.wallMs': round(wallMs, 0),
        'org.boundMs': round(boundMs, 0),
        'org.aggregatorPeakRssMB': round(a.peakRssMB ?? 0, 0),
        'org.aggregatorFits512': (a.peakRssMB ?? Number.POSITIVE_INFINITY) < 512 * 0.75,
      },
    };
  } finally {
    process.env = saved;
    await emu.close();
    await rm(reports, { recursive: true, force: true });
  }
}
