/**
 * The backfill as its callers run it, over an already built runtime:
 * - `backfillJob`: the coordinator in the bucket auditor's `backfill` mode: policy from the settings,
 *   workers dispatched through Function Compute, returns at once with where the report will appear;
 * - `localBackfill`: the CLI's `--local`: the same coordinator and worker code, the workers run in process
 *   by a bounded queue; returns the aggregate report.
 */

import type { Settings } from '../config.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { OwnWrites } from '../objects/own-writes.js';
import { loadPolicy } from '../policy/load.js';
import type { KeyInspector } from '../ports.js';
import { ossLocation } from '../ram/types.js';
import { readJson, runPaths } from './checkpoint.js';
import { type BackfillRequest, startBackfill } from './coordinator.js';
import { BackfillError } from './errors.js';
import { type FailedJob, LocalInvoker, type WorkerInvoker } from './invoker.js';
import { type BackfillPayload, tuningOf } from './payload.js';
import { runStore, type StoreGateway } from './store.js';
import type { BackfillReport, Counts } from './types.js';
import { runWorker } from './worker.js';

/** What the jobs need from the runtime (`buildRuntime`). */
export interface BackfillRuntime {
  oss: StoreGateway;
  kms: KeyInspector;
  logger: Logger;
}

/** What the auditor's `backfill` mode returns. */
export interface BackfillJobSummary {
  runId: string;
  mode: 'dry-run' | 'remediate';
  buckets: Array<{ name: string; region: string }>;
  shards: number;
  /** Where the aggregate report will be written when the last shard finishes. */
  report: string;
}

/** Starts a backfill from a function (the auditor's `backfill` mode). DRY_RUN=true forbids changes. */
export async function backfillJob(
  runtime: BackfillRuntime,
  opts: { settings: Settings; request: BackfillPayload; invoker: WorkerInvoker; runId?: string },
): Promise<BackfillJobSummary> {
  const { settings, request } = opts;
  if (!ossLocation(settings.reportLocation)) {
    throw new ConfigError(
      'OSS_SSE_GUARD_REPORT: a backfill through Function Compute needs an oss://bucket/prefix location (its workers share the run files there)',
    );
  }
  const policy = await loadPolicy(settings.policyRef, (b, k) => runtime.oss.getObjectText(b, k));
  const started = await startBackfill(
    { oss: runtime.oss, invoker: opts.invoker, logger: runtime.logger },
    {
      buckets: typeof request.bucket === 'string' ? [request.bucket] : request.bucket,
      ...(request.prefix ? { prefix: request.prefix } : {}),
      remediate: request.remediate && !settings.dryRun,
      ...(request.shards ? { shards: request.shards } : {}),
      location: settings.reportLocation as string,
      policy,
      tuning: tuningOf(request),
      ...(opts.runId ? { runId: opts.runId } : {}),
    },
  );
  return {
    runId: started.runId,
    mode: started.manifest.mode,
    buckets: started.manifest.buckets,
    shards: started.manifest.shards.length,
    report: `${started.location}${runPaths.report}`,
  };
}

/** The in-process stand-ins for Function Compute's concurrency and function timeout. */
export interface LocalBackfillOptions {
  /** Workers at once (default 4). */
  workers?: number;
  /** Time one worker run gets before it checkpoints and hands off, like a function timeout (default 300 s). */
  segmentMs?: number;
}

/** A finished local run. */
export interface LocalBackfillResult {
  report: BackfillReport;
  /** Where `report.json` is. */
  reportPath: string;
  failures: FailedJob[];
}

/** Runs a backfill in process to the end and returns its aggregate report. */
export async function localBackfill(
  runtime: BackfillRuntime,
  request: BackfillRequest,
  opts: LocalBackfillOptions = {},
): Promise<LocalBackfillResult> {
  // One memory of own copies for the whole run, as one warm Function Compute instance would keep.
  const ownWrites = new OwnWrites();
  const local: LocalInvoker = new LocalInvoker(
    (job, deadlineMs) =>
      runWorker(
        { oss: runtime.oss, kms: runtime.kms, logger: runtime.logger, invoker: local, ownWrites },
        job,
        {
          deadlineMs,
        },
      ),
    { concurrency: opts.workers ?? 4, budgetMs: opts.segmentMs ?? 300_000 },
  );
  const started = await startBackfill({ oss: runtime.oss, invoker: local, logger: runtime.logger }, request);
  await local.idle();
  const store = runStore(request.location, started.runId, runtime.oss);
  const report = await readJson<BackfillReport>(store, runPaths.report);
  if (!report) {
    const why = local.failures.map((f) => `${f.job.shardId}: ${f.error}`).join('; ');
    throw new BackfillError(`Backfill run ${started.runId} produced no report${why ? `: ${why}` : ''}`);
  }
  return {
    report,
    reportPath: `${store.location.replace(/\/?$/, '/')}${runPaths.report}`,
    failures: local.failures,
  };
}

/** Objects still not encrypted as required after the run (neither compliant nor fixed). */
export function remaining(c: Counts): number {
  return c.byVerdict.unencrypted + c.byVerdict['wrong-key'] - c.actions.encrypted;
}
