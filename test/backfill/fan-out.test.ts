/**
 * The backfill fanned out over Function Compute, end to end: the real @alicloud/fc2 client invokes the
 * bucket auditor's `backfill` mode through the FC emulator's FC 3.0 path; it plans the bucket and invokes
 * the backfill-worker function asynchronously (fc2 again, `X-Fc-Invocation-Type: Async`); each worker
 * invocation has a short budget on virtual time (a clock that ticks when read, so the amount of work per
 * invocation is the same on an idle and a busy machine), so shards go through many checkpoints and
 * self-invocations. The
 * aggregate must equal the one the in-process (`--local`) run of the same code produces.
 *
 * 20,000 objects, report-only (one HeadObject each): encrypting is exercised on a smaller bucket in
 * remediate.test.ts, which keeps this file's two full scans within the time budget.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type FC from '@alicloud/fc2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as auditorHandler } from '../../functions/bucket-auditor/index.js';
import type { BackfillJobSummary } from '../../shared/backfill/job.js';
import { localBackfill } from '../../shared/backfill/job.js';
import type { BackfillReport } from '../../shared/backfill/types.js';
import type { WorkerResult } from '../../shared/backfill/worker.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import { fcClient } from '../helpers/function-env.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import {
  AUDITOR_FUNCTION,
  isPlain,
  keyOf,
  REPORT_POLICY,
  seedBucket,
  stubFunctionEnv,
  WORKER_FUNCTION,
  workerOnVirtualTime,
} from './helpers.js';

const OBJECTS = 20_000;
const BUCKET = 'archive-20k';
const REPORTS = 'bf-reports';
/** Virtual milliseconds per worker invocation (the clock ticks once per read). */
const WORKER_BUDGET_TICKS = 4_000;

let world: World;
let fc: FC;
/** What each worker invocation returned (a test-side wrapper around the real handler records it). */
const results: WorkerResult[] = [];

beforeAll(async () => {
  world = await startWorld({ asyncConcurrency: 4 });
  const { emu } = world;
  seedBucket(emu, BUCKET, OBJECTS);
  // Out of the policy's scope (objects.exclude: tmp/**): listed and counted, never read.
  for (let i = 0; i < 25; i += 1) emu.oss.state.putObject(BUCKET, `tmp/scratch-${i}`, 'x', { sse: null });
  emu.oss.state.createBucket(REPORTS, 'cn-hangzhou');
  emu.fc.register('', AUDITOR_FUNCTION, auditorHandler, { timeoutSec: 30 });
  // A short budget on virtual time (helpers.ts): each invocation checks a bounded number of objects,
  // then checkpoints and hands off, however busy the machine. The real timeout is only a safety net.
  const worker = workerOnVirtualTime(WORKER_BUDGET_TICKS);
  emu.fc.register(
    '',
    WORKER_FUNCTION,
    async (event: Buffer | string, context: FcContext) => {
      const result = (await worker(event, context)) as WorkerResult;
      results.push(result);
      return result;
    },
    { timeoutSec: 120 },
  );
  fc = fcClient(emu);
  fc.version = '2023-03-30';
}, 120_000);

afterAll(async () => {
  vi.unstubAllEnvs();
  await world.close();
});

describe('backfill over Function Compute', () => {
  it('scans 20,000 objects over several checkpointed workers into the same aggregate as the local run', async () => {
    // Prepare
    stubFunctionEnv(world.emu, REPORT_POLICY, `oss://${REPORTS}/runs`);
    const request = {
      mode: 'backfill',
      bucket: BUCKET,
      shards: 4,
      tuning: { pageSize: 500, concurrency: 16 },
    };

    // Act
    const res = await fc.post(`/functions/${AUDITOR_FUNCTION}/invocations`, JSON.stringify(request), {
      'x-fc-invocation-type': 'Sync',
    });
    const started = JSON.parse(String(res.data)) as BackfillJobSummary;
    await world.emu.fc.idle();
    const stored = world.emu.oss.state.getObject(REPORTS, `runs/backfill/${started.runId}/report.json`);
    const viaFc = JSON.parse(stored?.body.toString('utf8') ?? '{}') as BackfillReport;
    const local = await localBackfill(
      world.runtime,
      {
        buckets: [BUCKET],
        remediate: false,
        shards: 3,
        location: await mkdtemp(join(tmpdir(), 'backfill-local-')),
        policy: policyOf(REPORT_POLICY),
      },
      { workers: 2 },
    );

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    expect(started).toMatchObject({
      mode: 'dry-run',
      shards: 4,
      buckets: [{ name: BUCKET, region: 'cn-hangzhou' }],
    });
    const plain = Array.from({ length: OBJECTS }, (_, i) => i).filter(isPlain);
    expect(viaFc.summary).toEqual({
      objects: OBJECTS + 25,
      outOfScope: 25,
      byVerdict: {
        encrypted: OBJECTS - plain.length,
        unencrypted: plain.length,
        'wrong-key': 0,
        missing: 0,
        error: 0,
      },
      actions: { none: OBJECTS - plain.length, alerted: plain.length, encrypted: 0, skipped: 0, blocked: 0 },
    });
    expect(viaFc.findings.map((f) => f.key)).toEqual(plain.map(keyOf).sort());
    expect(viaFc.summary).toEqual(local.report.summary);
    expect(viaFc.findings).toEqual(local.report.findings);
    // Several workers, each shard through many checkpoints and self-invocations, none failed.
    expect(viaFc.shards).toHaveLength(4);
    for (const s of viaFc.shards) expect(s.segments).toBeGreaterThan(2);
    const workerRuns = world.emu.fc.invocations.filter((r) => r.fn === WORKER_FUNCTION);
    expect(workerRuns.length).toBeGreaterThan(8);
    expect(workerRuns.every((r) => r.status === 'ok')).toBe(true);
    expect(results.filter((r) => r.status === 'continued').length).toBeGreaterThan(4);
    // The aggregate was built by exactly one worker, under the lock it created.
    expect(results.filter((r) => r.status === 'aggregated')).toHaveLength(1);
    const lock = world.emu.oss.state.getObject(REPORTS, `runs/backfill/${started.runId}/aggregate.lock`);
    expect(JSON.parse(lock?.body.toString('utf8') ?? '{}')).toMatchObject({ shardId: viaFc.aggregatedBy });
    expect(stored?.sse).toMatchObject({ algorithm: 'AES256' });
    expect(world.emu.oss.faults.count('CopyObject')).toBe(0);
    // A hang guard, not a budget: 40,000 HeadObject calls over HTTP took over 300 s with two suites, a
    // CPU hog and other work on two cores; the outcome never depends on it (the workers run on virtual time).
  }, 900_000);
});
