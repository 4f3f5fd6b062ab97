/**
 * One worker invocation: resume a shard from its last checkpoint, list and check a page at a time, commit
 * each page as a checkpoint segment, and before the deadline hand the rest to a new asynchronous
 * invocation of itself. No shard depends on one invocation finishing, and any invocation may die: its
 * Function Compute retry resumes from the last segment it committed, and objects it already encrypted are
 * found encrypted (the guard's state check) and not copied again.
 */

import { randomUUID } from 'node:crypto';
import { memoKms } from '../audit/preflight.js';
import { OssInventory } from '../cloud/oss-inventory.js';
import { ObjectLister } from '../cloud/oss-listing.js';
import { objectGateway } from '../cloud/oss-objects.js';
import type { RetryOptions } from '../cloud/retry.js';
import type { Logger } from '../log.js';
import { OwnWrites } from '../objects/own-writes.js';
import { validatePolicy } from '../policy/load.js';
import type { Policy } from '../policy/schema.js';
import type { Clock, KeyInspector } from '../ports.js';
import { systemClock } from '../ports.js';
import { type FinishOutcome, finishShard } from './aggregate.js';
import { claimStep, commitSegment, findPosition, newToken, readJson, runPaths } from './checkpoint.js';
import { BackfillError } from './errors.js';
import { InventoryRows } from './inventory-rows.js';
import { inventoryStep } from './inventory-scan.js';
import type { WorkerInvoker } from './invoker.js';
import { type ScanResult, scanObjects } from './scan.js';
import { type RunStore, runStore, type StoreGateway } from './store.js';
import type { RunManifest, Segment, WorkerJob } from './types.js';

/** What a worker invocation needs from the outside world. */
export interface WorkerDeps {
  /** The OSS gateway (`OssGateway`): object calls on the scanned bucket, and the run's files. */
  oss: StoreGateway;
  kms: KeyInspector;
  logger: Logger;
  /** Dispatches the continuation (Function Compute async invoke, or the in-process queue). */
  invoker: WorkerInvoker;
  clock?: Clock;
  /** Versions this instance copied (the guard's second line of loop safety); default per invocation. */
  ownWrites?: OwnWrites;
  /** The run's files; default: the store of `job.location`. */
  store?: RunStore;
}

/** How an invocation ended: handed off, stopped for another dispatch, or with its shard finished. */
export type WorkerStatus = 'continued' | 'superseded' | FinishOutcome;

/** What a worker invocation returns (its Function Compute result). */
export interface WorkerResult {
  runId: string;
  shardId: string;
  status: WorkerStatus;
  /** Steps this invocation committed (or found committed by another attempt). */
  steps: number;
  /** Objects this invocation checked. */
  objects: number;
  nextSeq: number;
}

/** The policy the guard code applies: the manifest's objects section; a dry run never encrypts. */
export function workerPolicy(manifest: RunManifest): Policy {
  const objects = { ...manifest.policy.objects };
  if (manifest.mode === 'dry-run' && objects.action === 'encrypt') objects.action = 'alert';
  return validatePolicy({ version: 1, objects }, `run ${manifest.runId} manifest`);
}

/** Runs one invocation of `job` until the shard is done or `deadlineMs` (epoch ms) draws near. */
export async function runWorker(
  deps: WorkerDeps,
  job: WorkerJob,
  opts: { deadlineMs: number },
): Promise<WorkerResult> {
  const clock = deps.clock ?? systemClock;
  const now = () => clock.now().getTime();
  const store = deps.store ?? runStore(job.location, job.runId, deps.oss);
  const manifest = await readJson<RunManifest>(store, runPaths.manifest);
  if (!manifest) throw new BackfillError(`Backfill run ${job.runId}: no manifest at ${store.location}`);
  const shard = manifest.shards.find((s) => s.id === job.shardId);
  if (!shard) throw new BackfillError(`Backfill run ${job.runId}: no shard "${job.shardId}"`);
  const log = deps.logger.child({ runId: job.runId, shardId: shard.id });
  const { tuning } = manifest;
  const start = now();
  const reserve = Math.min(tuning.reserveMs ?? 30_000, Math.max(0, opts.deadlineMs - start) / 4);
  const stopAt = opts.deadlineMs - reserve;
  // Retries of OSS calls never sleep past the point where the checkpoint must be written.
  const retry: RetryOptions = { ...tuning.retry, deadline: stopAt, now };
  const policy = workerPolicy(manifest);
  const lister = new ObjectLister(deps.oss, retry);
  const inventory = new OssInventory(deps.oss, retry);
  let rows: InventoryRows | undefined;
  const scanDeps = {
    oss: objectGateway(deps.oss),
    kms: memoKms(deps.kms),
    // The guard's per-object `info` lines would be millions here: keep its warnings (objects not encrypted
    // as required, errors) unless debug is on; the segments and the report keep everything.
    logger: log.child(
      {},
      { level: log.isLevelEnabled('debug') || !log.isLevelEnabled('warn') ? log.level : 'warn' },
    ),
    ownWrites: deps.ownWrites ?? new OwnWrites(),
    clock,
    retry,
  };
  const loc = { bucket: shard.bucket, region: shard.region };
  const attempt = randomUUID();
  const result: WorkerResult = {
    runId: job.runId,
    shardId: shard.id,
    status: 'continued',
    steps: 0,
    objects: 0,
    nextSeq: job.seq,
  };

  let pos = await findPosition(store, shard.id, job.seq);
  if (job.seq > 0 && !pos.last) {
    throw new BackfillError(`Shard ${shard.id}: segment ${job.seq - 1} is missing; cannot resume`);
  }
  while (!pos.last?.done) {
    result.nextSeq = pos.nextSeq;
    if (now() >= stopAt) {
      await deps.invoker.dispatch({ ...job, seq: pos.nextSeq, token: newToken() });
      log.info({ nextSeq: pos.nextSeq, steps: result.steps, objects: result.objects }, 'backfill handed off');
      return result;
    }
    if (!(await claimStep(store, shard.id, pos.nextSeq, job.token))) {
      log.info({ seq: pos.nextSeq }, 'backfill step claimed by another dispatch; stopping');
      return { ...result, status: 'superseded' };
    }
    const from = pos.last?.next ?? (shard.inventory ? '0' : (shard.after ?? ''));
    let step: { next: string; done: boolean; scan: ScanResult };
    if (shard.inventory) {
      // One open file per invocation; reopened at the checkpoint if a step ended before its page did.
      const at = Number(from);
      if (!rows || rows.position !== at) {
        rows = await InventoryRows.open(inventory, shard.inventory);
        await rows.skipTo(at);
      }
      const s = await inventoryStep(scanDeps, policy, loc, rows, {
        prefix: manifest.prefix,
        pageSize: tuning.pageSize,
        concurrency: tuning.concurrency,
        stopAt,
      });
      step = { next: String(s.next), done: s.done, scan: s };
    } else {
      const page = await lister.page(loc, {
        prefix: manifest.prefix,
        ...(from ? { marker: from } : {}),
        maxKeys: tuning.pageSize,
      });
      const { until } = shard;
      const inRange = until === undefined ? page.objects : page.objects.filter((o) => o.key <= until);
      const endReached = !page.nextMarker || inRange.length < page.objects.length;
      const scan = await scanObjects(scanDeps, policy, loc, inRange, {
        concurrency: tuning.concurrency,
        stopAt,
      });
      step = {
        next: scan.checked > 0 ? (inRange[scan.checked - 1]?.key ?? from) : from,
        done: endReached && scan.checked === inRange.length && !scan.retryableFailure,
        scan,
      };
    }
    const { scan } = step;
    const seg: Segment = {
      shardId: shard.id,
      seq: pos.nextSeq,
      token: job.token,
      attempt,
      from,
      next: step.next,
      done: step.done,
      counts: scan.counts,
      findings: scan.findings,
    };
    const stood = await commitSegment(store, seg);
    if (stood.attempt !== attempt)
      log.info({ seq: seg.seq }, 'backfill step already committed; continuing from it');
    else result.objects += scan.checked;
    result.steps += 1;
    pos = { last: stood, nextSeq: stood.seq + 1 };
    // Fail the invocation on purpose: Function Compute retries it, and the retry resumes right here. Only
    // when the failure came with the deadline (the retries were cut short by it) and the step still made
    // progress is it handed off like any other step end, so a retry is not spent on running out of time.
    if (scan.retryableFailure && (scan.checked === 0 || now() < stopAt)) {
      throw new BackfillError(
        `Shard ${shard.id}: stopped at step ${seg.seq} after ${scan.checked} objects: ${scan.retryableFailure}`,
      );
    }
  }
  result.nextSeq = pos.nextSeq;
  const finished = await finishShard(store, manifest, shard, pos.nextSeq, job.token, () => clock.now());
  log.info({ segments: pos.nextSeq, status: finished, objects: result.objects }, 'backfill shard finished');
  return { ...result, status: finished };
}
