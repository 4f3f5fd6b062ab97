/**
 * Encrypting existing objects in place through Function Compute, with workers killed along the way: the
 * real fc2 client starts the auditor's `backfill` mode, which invokes the backfill-worker function
 * asynchronously; every worker invocation is short, so shards go through many checkpoints. Faults:
 * - one worker invocation loses its OSS connections (HeadObject dropped on every attempt) mid-shard: it
 *   commits what it checked and fails; Function Compute's async retry resumes from that checkpoint;
 * - one invocation finishes, hands off, and is then reported failed (a lost instance): its retry and the
 *   continuation it started race for the next step, and only one of them does it.
 * Nothing is lost, every unencrypted object is copied exactly once with its bytes, metadata and tags, and
 * the aggregate is written once. Workers run one at a time here (the FC emulator's async concurrency is 1)
 * so that the dropped connections hit exactly one invocation; fan-out.test.ts runs them in parallel.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type FC from '@alicloud/fc2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler as auditorHandler } from '../../functions/bucket-auditor/index.js';
import type { BackfillJobSummary } from '../../shared/backfill/job.js';
import { localBackfill } from '../../shared/backfill/job.js';
import type { BackfillReport, WorkerJob } from '../../shared/backfill/types.js';
import type { WorkerResult } from '../../shared/backfill/worker.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import { fcClient } from '../helpers/function-env.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import {
  AUDITOR_FUNCTION,
  ENCRYPT_POLICY,
  isPlain,
  keyOf,
  seedBucket,
  sha256,
  stubFunctionEnv,
  WORKER_FUNCTION,
  workerOnVirtualTime,
} from './helpers.js';

const OBJECTS = 900;
const BUCKET = 'vault-900';
const REPORTS = 'bf-reports';
/** Virtual milliseconds per worker invocation (the clock ticks once per read). */
const WORKER_BUDGET_TICKS = 600;

let world: World;
let fc: FC;
const results: WorkerResult[] = [];
/** The shard whose continuation lost its OSS connections, and the one whose instance was lost. */
let killed: string | undefined;
let lost: string | undefined;

beforeAll(async () => {
  world = await startWorld({ asyncConcurrency: 1 });
  const { emu } = world;
  seedBucket(emu, BUCKET, OBJECTS, { rich: true });
  emu.oss.state.createBucket(REPORTS, 'cn-hangzhou');
  emu.fc.register('', AUDITOR_FUNCTION, auditorHandler, { timeoutSec: 30 });
  // Each invocation has a short budget on virtual time (helpers.ts), so a shard never fits in one
  // invocation, however fast or busy the machine; the real timeout is only a safety net.
  const workerHandler = workerOnVirtualTime(WORKER_BUDGET_TICKS);
  emu.fc.register(
    '',
    WORKER_FUNCTION,
    async (event: Buffer | string, context: FcContext) => {
      const job = JSON.parse(String(event)) as WorkerJob;
      const kill = !killed && job.seq > 0;
      if (kill) {
        // A continuation, so its shard is under way: every attempt of its first HeadObject is dropped.
        killed = job.shardId;
        emu.oss.faults.set('HeadObject', { dropRate: 1, times: 6 });
      }
      let result: WorkerResult;
      try {
        result = (await workerHandler(event, context)) as WorkerResult;
      } finally {
        if (kill) emu.oss.faults.clear('HeadObject');
      }
      if (!lost && killed && job.shardId !== killed && job.seq > 0 && result.status === 'continued') {
        lost = job.shardId;
        throw new Error('instance lost after the handler handed off');
      }
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

describe('backfill --remediate over Function Compute', () => {
  it('encrypts every unencrypted object exactly once, intact, though workers are killed mid-shard', async () => {
    // Prepare
    stubFunctionEnv(world.emu, ENCRYPT_POLICY, `oss://${REPORTS}/runs`);
    const plain = Array.from({ length: OBJECTS }, (_, i) => i).filter(isPlain);
    const before = new Map(plain.map((i) => [i, world.emu.oss.state.getObject(BUCKET, keyOf(i))]));
    const request = {
      mode: 'backfill',
      bucket: BUCKET,
      remediate: true,
      shards: 3,
      // One object at a time, and fast OSS retries: the dropped connections fail exactly one object.
      tuning: { pageSize: 100, concurrency: 1, retry: { maxAttempts: 6, baseMs: 1, capMs: 4 } },
    };

    // Act
    const res = await fc.post(`/functions/${AUDITOR_FUNCTION}/invocations`, JSON.stringify(request), {
      'x-fc-invocation-type': 'Sync',
    });
    const started = JSON.parse(String(res.data)) as BackfillJobSummary;
    await world.emu.fc.idle();
    const copies = world.emu.oss.faults.count('CopyObject');
    const stored = world.emu.oss.state.getObject(REPORTS, `runs/backfill/${started.runId}/report.json`);
    const report = JSON.parse(stored?.body.toString('utf8') ?? '{}') as BackfillReport;

    // Assess: the faults happened and Function Compute retried both invocations.
    expect(started).toMatchObject({ mode: 'remediate', shards: 3 });
    const runs = world.emu.fc.invocations.filter((r) => r.fn === WORKER_FUNCTION);
    const failed = runs.filter((r) => r.status !== 'ok');
    expect(killed).toBeDefined();
    expect(lost).toBeDefined();
    expect(failed.map((r) => r.status)).toEqual(['error', 'error']);
    expect(failed.find((r) => /HeadObject/.test(r.errorMessage ?? ''))).toBeDefined();
    for (const f of failed) {
      expect(runs.find((r) => r.requestId === f.requestId && r.attempt === 2)?.status).toBe('ok');
    }
    // Nothing lost, nothing twice: each unencrypted object copied once and reported once.
    expect(copies).toBe(plain.length);
    expect(report.summary).toMatchObject({
      objects: OBJECTS,
      byVerdict: { encrypted: OBJECTS - plain.length, unencrypted: plain.length, error: 0 },
      actions: { encrypted: plain.length, none: OBJECTS - plain.length },
    });
    expect(report.findings.map((f) => f.key)).toEqual(plain.map(keyOf).sort());
    expect(report.findings.every((f) => f.action.kind === 'encrypted')).toBe(true);
    // Bytes, content type, metadata, stored headers and tags intact; now AES256.
    for (const i of plain) {
      const was = before.get(i);
      const now = world.emu.oss.state.getObject(BUCKET, keyOf(i));
      expect(now?.sse).toMatchObject({ algorithm: 'AES256' });
      expect(now?.contentType).toBe(was?.contentType);
      expect(now?.meta).toEqual(was?.meta);
      expect(now?.tags).toEqual(was?.tags);
      expect(now?.headers).toEqual(was?.headers);
      if (i % 37 === 0)
        expect(sha256(now?.body ?? Buffer.alloc(0))).toBe(sha256(Buffer.from(`object ${i} of ${BUCKET}`)));
    }
    // One aggregate, under one lock.
    expect(results.filter((r) => r.status === 'aggregated').length).toBeLessThanOrEqual(1);
    const lock = world.emu.oss.state.getObject(REPORTS, `runs/backfill/${started.runId}/aggregate.lock`);
    expect(JSON.parse(lock?.body.toString('utf8') ?? '{}')).toMatchObject({ shardId: report.aggregatedBy });
  }, 300_000);

  it('finds nothing left to do on a second run, and copies nothing', async () => {
    // Prepare
    world.emu.oss.faults.clear();
    const copiesBefore = world.emu.oss.faults.count('CopyObject');

    // Act
    const again = await localBackfill(world.runtime, {
      buckets: [BUCKET],
      remediate: true,
      shards: 2,
      location: await mkdtemp(join(tmpdir(), 'backfill-again-')),
      policy: policyOf(ENCRYPT_POLICY),
    });

    // Assess
    expect(again.report.summary.byVerdict).toMatchObject({ encrypted: OBJECTS, unencrypted: 0 });
    expect(again.report.findings).toEqual([]);
    expect(world.emu.oss.faults.count('CopyObject')).toBe(copiesBefore);
  });
});
