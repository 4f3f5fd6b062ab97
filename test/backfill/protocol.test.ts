/**
 * The checkpoint protocol's other paths, against the OSS emulator: a step claimed by another dispatch,
 * a step committed first by another attempt, a flat key space planned from a sample, the in-process
 * queue's retries, and the function entry's refusal of a local report location.
 */

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaths } from '../../shared/backfill/checkpoint.js';
import { startBackfill } from '../../shared/backfill/coordinator.js';
import { LocalInvoker, type WorkerInvoker } from '../../shared/backfill/invoker.js';
import { backfillJob } from '../../shared/backfill/job.js';
import { planBucket } from '../../shared/backfill/plan.js';
import { type RunStore, runStore } from '../../shared/backfill/store.js';
import { emptyCounts, type Segment, type WorkerJob } from '../../shared/backfill/types.js';
import { runWorker } from '../../shared/backfill/worker.js';
import { ObjectLister } from '../../shared/cloud/oss-listing.js';
import { settingsFromEnv } from '../../shared/config.js';
import { silentLogger } from '../../shared/log.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import { REPORT_POLICY, seedBucket } from './helpers.js';

const LOCATION = 'oss://proto-reports/runs';
let world: World;

class CapturingInvoker implements WorkerInvoker {
  readonly jobs: WorkerJob[] = [];
  async dispatch(job: WorkerJob): Promise<void> {
    this.jobs.push(job);
  }
}

async function oneShard(
  bucket: string,
): Promise<{ job: WorkerJob; store: RunStore; invoker: CapturingInvoker }> {
  const invoker = new CapturingInvoker();
  const started = await startBackfill(
    { oss: world.runtime.oss, invoker, logger: silentLogger() },
    { buckets: [bucket], shards: 1, remediate: false, location: LOCATION, policy: policyOf(REPORT_POLICY) },
  );
  return {
    job: invoker.jobs[0] as WorkerJob,
    store: runStore(LOCATION, started.runId, world.runtime.oss),
    invoker,
  };
}

const work = (store: RunStore, invoker: WorkerInvoker, job: WorkerJob) =>
  runWorker({ oss: world.runtime.oss, kms: world.runtime.kms, logger: silentLogger(), invoker, store }, job, {
    deadlineMs: Date.now() + 60_000,
  });

beforeAll(async () => {
  world = await startWorld();
  seedBucket(world.emu, 'proto-bucket', 30);
  world.emu.oss.state.createBucket('proto-flat', 'cn-hangzhou');
  for (let i = 0; i < 250; i += 1)
    world.emu.oss.state.putObject('proto-flat', `k-${String(i).padStart(3, '0')}`, 'x');
  world.emu.oss.state.createBucket('proto-reports', 'cn-hangzhou');
});
afterAll(async () => {
  await world.close();
});

describe('checkpoint protocol', () => {
  it('stops a dispatch whose next step another dispatch claimed', async () => {
    // Prepare
    const { job, store, invoker } = await oneShard('proto-bucket');
    await store.create(runPaths.claim(job.shardId, 0), JSON.stringify({ token: 'another-dispatch' }));

    // Act
    const result = await work(store, invoker, job);

    // Assess
    expect(result).toMatchObject({ status: 'superseded', steps: 0, objects: 0 });
    expect(await store.read(runPaths.segment(job.shardId, 0))).toBeUndefined();
  });

  it('adopts a step another attempt committed first, and goes on from where it ended', async () => {
    // Prepare
    const { job, store, invoker } = await oneShard('proto-bucket');
    const theirs: Segment = {
      shardId: job.shardId,
      seq: 0,
      token: job.token,
      attempt: 'an-earlier-attempt',
      from: '',
      next: '',
      done: false,
      counts: emptyCounts(),
      findings: [],
    };
    // The other attempt's (empty) step lands between this one's walk and its commit.
    const racing: RunStore = Object.create(store, {
      create: {
        value: async (path: string, text: string) => {
          if (path === runPaths.segment(job.shardId, 0)) await store.create(path, JSON.stringify(theirs));
          return store.create(path, text);
        },
      },
    });

    // Act
    const result = await work(racing, invoker, job);
    const report = JSON.parse((await store.read(runPaths.report)) ?? '{}');

    // Assess
    expect(result.status).toBe('aggregated');
    expect(JSON.parse((await store.read(runPaths.segment(job.shardId, 0))) ?? '{}').attempt).toBe(
      'an-earlier-attempt',
    );
    expect(report.summary.objects).toBe(30);
    expect(report.shards).toEqual([{ id: job.shardId, segments: 2, objects: 30 }]);
  });

  it('plans a flat key space from a sample, the keys after it forming the last range', async () => {
    // Prepare
    const loc = { bucket: 'proto-flat', region: 'cn-hangzhou' };
    const keys = Array.from({ length: 250 }, (_, i) => `k-${String(i).padStart(3, '0')}`);

    // Act
    const plan = await planBucket(new ObjectLister(world.runtime.oss), loc, '', {
      shards: 4,
      sampleKeys: 100,
    });

    // Assess
    expect(plan.planner).toBe('keys');
    expect(plan.shards).toHaveLength(4);
    expect(plan.shards.at(-1)).toMatchObject({ after: 'k-099' });
    for (const k of keys) {
      const owners = plan.shards.filter(
        (s) => (s.after === undefined || k > s.after) && (s.until === undefined || k <= s.until),
      );
      expect(owners).toHaveLength(1);
    }
  });
});

describe('in-process queue and function entry', () => {
  it('retries a failing job, then records it as failed, and still goes idle', async () => {
    // Prepare
    let runs = 0;
    const local = new LocalInvoker(
      async () => {
        runs += 1;
        throw new Error('always fails');
      },
      { concurrency: 2, budgetMs: 1000, maxRetries: 2, retryDelayMs: 1 },
    );

    // Act
    await local.dispatch({
      kind: 'oss-sse-guard.backfill-worker',
      runId: 'r',
      location: 'x',
      shardId: 's',
      seq: 0,
      token: 't',
    });
    await local.idle();

    // Assess
    expect(runs).toBe(3);
    expect(local.failures).toMatchObject([{ attempts: 3, error: 'always fails' }]);
  });

  it('refuses to start Function Compute workers without an oss:// report location', async () => {
    // Act
    const err = await backfillJob(world.runtime, {
      settings: { ...settingsFromEnv(world.emu.env), reportLocation: '/tmp/reports' },
      request: { mode: 'backfill', bucket: 'proto-bucket', remediate: false },
      invoker: new CapturingInvoker(),
    }).catch((e: Error) => e);

    // Assess
    expect(err).toMatchObject({ name: 'ConfigError' });
    expect((err as Error).message).toMatch(/needs an oss:\/\/bucket\/prefix location/);
  });
});
