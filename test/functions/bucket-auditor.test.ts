/**
 * The bucket-auditor function end to end: the real @alicloud/fc2 client invokes it through the Function
 * Compute emulator with the documented timer event; the function runs with the FC context's STS
 * credentials against the OSS and KMS emulators.
 */

import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type FC from '@alicloud/fc2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { handler } from '../../functions/bucket-auditor/index.js';
import type { AuditSummary } from '../../shared/audit/job.js';
import type { Report } from '../../shared/model.js';
import { fcClient, stubFunctionEnv } from '../helpers/function-env.js';

/** Function Compute "trigger event formats", timer trigger (shared wire sample fc-timer-event.json). */
const TIMER_EVENT =
  '{"triggerTime":"2018-02-09T05:49:00Z","triggerName":"timer-trigger","payload":"awesome-fc"}';

let emu: Emulators;
let fc: FC;

beforeAll(async () => {
  emu = await startEmulators({ seed: 'demo' });
  emu.fc.register('oss-sse-guard', 'bucket-auditor', handler, { timeoutSec: 30 });
  fc = fcClient(emu);
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
});

function stubEndpoints() {
  stubFunctionEnv(emu);
}

describe('bucket-auditor timer function', () => {
  it('audits in dry run with the policy from the environment and returns the summary', async () => {
    // Prepare
    stubEndpoints();
    const dir = await mkdtemp(join(tmpdir(), 'auditor-'));
    vi.stubEnv('OSS_SSE_GUARD_POLICY', await readFile('examples/policy.yaml', 'utf8'));
    vi.stubEnv('OSS_SSE_GUARD_REPORT', dir);
    vi.stubEnv('DRY_RUN', 'true');

    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'bucket-auditor', TIMER_EVENT);

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const summary = JSON.parse(String(res.data)) as AuditSummary;
    expect(summary).toMatchObject({ mode: 'dry-run', total: 13 });
    expect(summary.byStatus['would-remediate']).toBe(5);
    expect(summary.byStatus.blocked).toBe(2);
    expect(emu.oss.state.getBucket('prod-orders')?.encryption).toBeNull();
    const report = JSON.parse(await readFile(join(dir, 'latest.json'), 'utf8')) as Report;
    expect(report.runId).toBe(summary.runId);
    const invocation = emu.fc.invocations.at(-1);
    expect(invocation).toMatchObject({ fn: 'bucket-auditor', status: 'ok' });
    expect(summary.runId).toBe(invocation?.requestId);
  });

  it('remediates per policy when DRY_RUN is not set', async () => {
    // Prepare
    stubEndpoints();
    vi.stubEnv('OSS_SSE_GUARD_POLICY', await readFile('examples/policy.yaml', 'utf8'));

    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'bucket-auditor', TIMER_EVENT);

    // Assess
    const summary = JSON.parse(String(res.data)) as AuditSummary;
    expect(summary.mode).toBe('remediate');
    expect(summary.byStatus.remediated).toBe(5);
    expect(emu.oss.state.getBucket('prod-orders')?.encryption).toEqual({
      algorithm: 'KMS',
      kmsMasterKeyId: '0b5c3e1a-7d2f-4a8e-9c61-5f0e2d7a1b01',
    });
  });

  it('refuses to act on a bad policy: the invocation fails and names the problem', async () => {
    // Prepare
    stubEndpoints();
    vi.stubEnv('OSS_SSE_GUARD_POLICY', 'version: 1\nrules:\n  - id: x\n    sse: { algorithm: ROT13 }\n');
    const puts = emu.oss.faults.count('PutBucketEncryption');
    const lists = emu.oss.faults.count('ListBuckets');

    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'bucket-auditor', TIMER_EVENT);

    // Assess
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(JSON.stringify(res.data)).toContain('rules[0].sse.algorithm: must be one of AES256, KMS, SM4');
    expect(emu.oss.faults.count('PutBucketEncryption')).toBe(puts);
    expect(emu.oss.faults.count('ListBuckets')).toBe(lists);
  });

  it('fails clearly on an event that is not a timer event', async () => {
    stubEndpoints();
    const res = await fc.invokeFunction('oss-sse-guard', 'bucket-auditor', '{"triggerTime": 42');
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(JSON.stringify(res.data)).toContain('timer event: not JSON');
  });
});
