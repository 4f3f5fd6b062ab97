/**
 * The coordinator: checks the request, splits each bucket into key ranges, writes the run manifest, and
 * dispatches one worker job per range. It returns as soon as the jobs are accepted; the workers do the
 * scan, and the last one to finish writes the aggregate report (see aggregate.ts).
 */

import { randomUUID } from 'node:crypto';
import { OssInventory } from '../cloud/oss-inventory.js';
import { ObjectLister } from '../cloud/oss-listing.js';
import { ConfigError, describeError } from '../errors.js';
import type { Logger } from '../log.js';
import { objectsPolicy } from '../objects/scope.js';
import { globMatch } from '../policy/glob.js';
import type { LoadedPolicy } from '../policy/load.js';
import { mapBounded } from '../pool.js';
import type { Clock } from '../ports.js';
import { systemClock } from '../ports.js';
import { newToken, runPaths } from './checkpoint.js';
import { BackfillError } from './errors.js';
import { InventoryError, type InventoryRequest, planFromInventory } from './inventory.js';
import type { WorkerInvoker } from './invoker.js';
import { planBucket } from './plan.js';
import { checkUnversioned, type RunStore, runStore, type StoreGateway } from './store.js';
import {
  DEFAULT_TUNING,
  MAX_SHARDS,
  type RunManifest,
  type ShardSpec,
  type Tuning,
  type WorkerJob,
} from './types.js';

const BUCKET_NAME = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** What to backfill, where the run lives, and under which policy. */
export interface BackfillRequest {
  buckets: string[];
  /** Only keys under this prefix. */
  prefix?: string;
  /** Encrypt in place where `objects.action` is `encrypt`; otherwise report only. */
  remediate: boolean;
  /** Key ranges per bucket, at most (default 8). */
  shards?: number;
  /** Report location: `oss://bucket/prefix` (required for Function Compute workers) or a folder. */
  location: string;
  policy: LoadedPolicy;
  tuning?: Partial<Tuning>;
  runId?: string;
  /** Read each bucket's latest inventory and check only what it does not settle (`--inventory [ID]`). */
  inventory?: InventoryRequest;
}

/** What the coordinator needs from the outside world. */
export interface CoordinatorDeps {
  /** The OSS gateway: bucket regions, listing for the plan, the run's files. */
  oss: StoreGateway;
  invoker: WorkerInvoker;
  logger: Logger;
  clock?: Clock;
  /** The run's files; default: the store of `location`. */
  store?: RunStore;
}

/** A started run: its id, folder and manifest. */
export interface BackfillStarted {
  runId: string;
  /** The run's folder; the aggregate appears there as `report.json`. */
  location: string;
  manifest: RunManifest;
}

function checkRequest(req: BackfillRequest): Tuning {
  if (req.buckets.length === 0) throw new ConfigError('Backfill: give at least one bucket');
  for (const b of req.buckets) {
    if (!BUCKET_NAME.test(b)) throw new ConfigError(`Backfill: "${b}" is not a bucket name`);
  }
  const shards = req.shards ?? 8;
  if (!Number.isInteger(shards) || shards < 1 || shards > MAX_SHARDS) {
    throw new ConfigError(`Backfill: shards must be a whole number from 1 to ${MAX_SHARDS}, got ${shards}`);
  }
  const tuning: Tuning = { ...DEFAULT_TUNING, ...req.tuning };
  if (!Number.isInteger(tuning.pageSize) || tuning.pageSize < 1 || tuning.pageSize > 1000) {
    throw new ConfigError(`Backfill: pageSize must be a whole number from 1 to 1000, got ${tuning.pageSize}`);
  }
  if (!Number.isInteger(tuning.concurrency) || tuning.concurrency < 1 || tuning.concurrency > 256) {
    throw new ConfigError(
      `Backfill: concurrency must be a whole number from 1 to 256, got ${tuning.concurrency}`,
    );
  }
  const objects = objectsPolicy(req.policy.policy);
  for (const b of req.buckets) {
    if (!globMatch(objects.buckets, b)) {
      throw new ConfigError(
        `Backfill: bucket "${b}" is outside the policy's objects.buckets (${objects.buckets.join(', ')}); nothing in it would be checked`,
      );
    }
  }
  return tuning;
}

/** Dispatches every shard's first job, a few at a time; names the shards that could not be started. */
async function dispatchAll(deps: CoordinatorDeps, jobs: WorkerJob[]): Promise<void> {
  const failed: string[] = [];
  await mapBounded(jobs, 8, async (job) => {
    try {
      await deps.invoker.dispatch(job);
    } catch (err) {
      failed.push(`${job.shardId}: ${describeError(err)}`);
    }
  });
  if (failed.length > 0) {
    throw new BackfillError(
      `Backfill: ${failed.length} of ${jobs.length} shards could not be started (the others run):\n  ${failed.join('\n  ')}`,
    );
  }
}

/** Plans and starts a backfill run. Throws `ConfigError` for a bad request before any write. */
export async function startBackfill(deps: CoordinatorDeps, req: BackfillRequest): Promise<BackfillStarted> {
  const tuning = checkRequest(req);
  const clock = deps.clock ?? systemClock;
  const runId = req.runId ?? randomUUID();
  const prefix = req.prefix ?? '';
  const log = deps.logger.child({ runId });
  await checkUnversioned(deps.oss, req.location);
  const lister = new ObjectLister(deps.oss);
  const buckets: RunManifest['buckets'] = [];
  const planner: RunManifest['planner'] = {};
  const shards: ShardSpec[] = [];
  const sources: NonNullable<RunManifest['inventory']> = [];
  const problems: string[] = [];
  for (const name of req.buckets) {
    const region = await deps.oss.bucketRegion(name);
    buckets.push({ name, region });
    if (req.inventory) {
      // Every bucket's inventory is checked before anything is written; the problems are reported together.
      try {
        const inv = new OssInventory(deps.oss);
        const plan = await planFromInventory(
          { inventory: inv, oss: deps.oss },
          { name, region },
          prefix,
          req.inventory,
          clock.now(),
        );
        sources.push(plan.source);
        shards.push(...plan.shards);
        planner[name] = 'inventory';
        log.info({ bucket: name, region, inventory: plan.source }, 'backfill planned from the inventory');
      } catch (err) {
        if (!(err instanceof InventoryError)) throw err;
        problems.push(err.message);
      }
      continue;
    }
    const plan = await planBucket(lister, { bucket: name, region }, prefix, { shards: req.shards ?? 8 });
    planner[name] = plan.planner;
    shards.push(...plan.shards);
    log.info({ bucket: name, region, planner: plan.planner, shards: plan.shards.length }, 'backfill planned');
  }
  if (problems.length > 0) {
    throw new InventoryError(
      `Backfill --inventory: no usable inventory for ${problems.length} of ${req.buckets.length} buckets (nothing was started):\n  ${problems.join('\n  ')}`,
    );
  }
  const manifest: RunManifest = {
    schemaVersion: 1,
    runId,
    startedAt: clock.now().toISOString(),
    mode: req.remediate ? 'remediate' : 'dry-run',
    buckets,
    prefix,
    policy: {
      source: req.policy.source,
      sha256: req.policy.sha256,
      objects: objectsPolicy(req.policy.policy),
    },
    planner,
    shards,
    tuning,
    ...(req.inventory ? { inventory: sources } : {}),
  };
  const store = deps.store ?? runStore(req.location, runId, deps.oss);
  const text = JSON.stringify(manifest, null, 2);
  // A 409 for our own write (its reply lost, the PUT retried) finds exactly our text there.
  if (!(await store.create(runPaths.manifest, text)) && (await store.read(runPaths.manifest)) !== text) {
    throw new BackfillError(`Backfill run ${runId} already exists at ${store.location}`);
  }
  const jobs = shards.map(
    (s): WorkerJob => ({
      kind: 'oss-sse-guard.backfill-worker',
      runId,
      location: req.location,
      shardId: s.id,
      seq: 0,
      token: newToken(),
    }),
  );
  await dispatchAll(deps, jobs);
  log.info({ shards: jobs.length, mode: manifest.mode, location: store.location }, 'backfill started');
  return { runId, location: store.location, manifest };
}
