/**
 * The aggregate exactly once. Two workers are made to finish together: a store wrapper (dependency
 * injection, not a mock: the files still go to the OSS emulator through ali-oss) holds each worker at its
 * listing of finished shards until both are there, so both see every shard done and both go for the lock.
 * The lock is an OSS create-only write (`x-oss-forbid-overwrite: true`); one gets it, the other is
 * answered 409 FileAlreadyExists and stops. Also: a lock holder that dies before writing the report
 * finishes it on its retry, and retries of finished workers write nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runPaths } from '../../shared/backfill/checkpoint.js';
import { type BackfillStarted, startBackfill } from '../../shared/backfill/coordinator.js';
import type { WorkerInvoker } from '../../shared/backfill/invoker.js';
import { type RunStore, runStore } from '../../shared/backfill/store.js';
import type { BackfillReport, WorkerJob } from '../../shared/backfill/types.js';
import { runWorker } from '../../shared/backfill/worker.js';
import { silentLogger } from '../../shared/log.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';
import { REPORT_POLICY, seedBucket } from './helpers.js';

const BUCKET = 'race-bucket';
const REPORTS = 'race-reports';
const LOCATION = `oss://${REPORTS}/runs`;

let world: World;

/** Collects dispatched jobs without running them: the test runs them itself. */
class CapturingInvoker implements WorkerInvoker {
  readonly jobs: WorkerJob[] = [];
  async dispatch(job: WorkerJob): Promise<void> {
    this.jobs.push(job);
  }
}

/** Records creates; holds `list('done')` callers until `parties` of them wait; can fail the report write once. */
class RecordingStore implements RunStore {
  readonly creates: Array<{ path: string; created: boolean }> = [];
  private waiting: Array<() => void> = [];
  failReportOnce = false;

  constructor(
    private readonly inner: RunStore,
    private readonly parties = 0,
  ) {}

  get location() {
    return this.inner.location;
  }
  read(path: string) {
    return this.inner.read(path);
  }
  write(path: string, text: string) {
    return this.inner.write(path, text);
  }
  async create(path: string, text: string) {
    if (path === runPaths.report && this.failReportOnce) {
      this.failReportOnce = false;
      throw new Error('instance killed before the report was written');
    }
    const created = await this.inner.create(path, text);
    this.creates.push({ path, created });
    return created;
  }
  async list(dir: string) {
    if (dir === runPaths.doneDir && this.parties > 0) {
      await new Promise<void>((resolve) => {
        this.waiting.push(resolve);
        if (this.waiting.length === this.parties) for (const w of this.waiting.splice(0)) w();
      });
    }
    return this.inner.list(dir);
  }
  createsOf(path: string) {
    return this.creates.filter((c) => c.path === path);
  }
}

async function plan(invoker: CapturingInvoker): Promise<BackfillStarted> {
  return startBackfill(
    { oss: world.runtime.oss, invoker, logger: silentLogger() },
    { buckets: [BUCKET], shards: 2, remediate: false, location: LOCATION, policy: policyOf(REPORT_POLICY) },
  );
}

const work = (store: RunStore, invoker: WorkerInvoker, job: WorkerJob) =>
  runWorker({ oss: world.runtime.oss, kms: world.runtime.kms, logger: silentLogger(), invoker, store }, job, {
    deadlineMs: Date.now() + 60_000,
  });

beforeAll(async () => {
  world = await startWorld();
  seedBucket(world.emu, BUCKET, 60);
  world.emu.oss.state.createBucket(REPORTS, 'cn-hangzhou');
});
afterAll(async () => {
  await world.close();
});

describe('aggregate', () => {
  it('is built once when two workers finish together: one holds the lock, the other stops', async () => {
    // Prepare
    const invoker = new CapturingInvoker();
    const started = await plan(invoker);
    const store = new RecordingStore(runStore(LOCATION, started.runId, world.runtime.oss), 2);
    const [a, b] = invoker.jobs as [WorkerJob, WorkerJob];

    // Act
    const outcomes = await Promise.all([work(store, invoker, a), work(store, invoker, b)]);
    const locks = store.createsOf(runPaths.lock).map((c) => c.created);
    const retries = await Promise.all([work(store, invoker, a), work(store, invoker, b)]);

    // Assess
    expect(invoker.jobs).toHaveLength(2);
    expect(outcomes.map((o) => o.status).sort()).toEqual(['aggregated', 'shard-done']);
    expect(locks.sort()).toEqual([false, true]);
    expect(store.createsOf(runPaths.report)).toEqual([{ path: runPaths.report, created: true }]);
    const winner = outcomes.find((o) => o.status === 'aggregated');
    const base = `runs/backfill/${started.runId}`;
    const lock = JSON.parse(
      world.emu.oss.state.getObject(REPORTS, `${base}/aggregate.lock`)?.body.toString() ?? '{}',
    );
    expect(lock.shardId).toBe(winner?.shardId);
    const report = JSON.parse(
      world.emu.oss.state.getObject(REPORTS, `${base}/report.json`)?.body.toString() ?? '{}',
    ) as BackfillReport;
    expect(report).toMatchObject({ aggregatedBy: winner?.shardId, summary: { objects: 60 } });
    // Retries of both (as Function Compute would after a lost reply) change nothing.
    expect(retries.map((o) => o.status).sort()).toEqual(['aggregated', 'shard-done']);
    expect(store.createsOf(runPaths.report)).toHaveLength(1);
  });

  it('is finished by the retry of a lock holder that died before writing it', async () => {
    // Prepare
    const invoker = new CapturingInvoker();
    const started = await plan(invoker);
    const store = new RecordingStore(runStore(LOCATION, started.runId, world.runtime.oss));
    const [first, last] = invoker.jobs as [WorkerJob, WorkerJob];
    await work(store, invoker, first);
    store.failReportOnce = true;

    // Act
    const died = await work(store, invoker, last).catch((err: Error) => err);
    const retried = await work(store, invoker, last);

    // Assess
    expect(died).toBeInstanceOf(Error);
    expect(retried.status).toBe('aggregated');
    // The retry is answered 409 for the lock, finds its own dispatch token in it, and writes the report.
    expect(store.createsOf(runPaths.lock).map((c) => c.created)).toEqual([true, false]);
    expect(store.createsOf(runPaths.report)).toEqual([{ path: runPaths.report, created: true }]);
    const report = world.emu.oss.state.getObject(REPORTS, `runs/backfill/${started.runId}/report.json`);
    expect(JSON.parse(report?.body.toString() ?? '{}')).toMatchObject({ aggregatedBy: last.shardId });
  });

  it('refuses a versioned report bucket, where OSS ignores x-oss-forbid-overwrite', async () => {
    // Prepare
    world.emu.oss.state.createBucket('versioned-reports', 'cn-hangzhou', { versioning: 'Enabled' });

    // Act
    const refused = await startBackfill(
      { oss: world.runtime.oss, invoker: new CapturingInvoker(), logger: silentLogger() },
      {
        buckets: [BUCKET],
        remediate: false,
        location: 'oss://versioned-reports/runs',
        policy: policyOf(REPORT_POLICY),
      },
    ).catch((err: Error) => err);

    // Assess
    expect(refused).toMatchObject({ name: 'ConfigError' });
    expect((refused as Error).message).toMatch(/versioning Enabled/);
  });
});
