/**
 * Finishing: a shard whose last segment is done merges its segments into `done/<shard>.json`; the worker
 * that then finds every shard done tries to create `aggregate.lock` (create-only: in OSS a PutObject with
 * `x-oss-forbid-overwrite: true`, 409 FileAlreadyExists for everyone after the first). Only the holder
 * builds the aggregate, and writes it create-only too, so it exists exactly once.
 *
 * Why someone always aggregates: every worker writes its `done` file before it lists `done/`, and OSS
 * lists what was written before (strong read-after-write consistency), so the last shard to write its
 * `done` file sees them all. Two that finish together may both see them all; the lock picks one. A lock
 * holder that dies before writing the report is retried by Function Compute with the same dispatch token,
 * which the lock records, so the retry carries on where it stopped.
 */
import { describeRequirement } from '../policy/levels.js';
import { TOOL } from '../tool.js';
import { readJson, readSegments, runPaths } from './checkpoint.js';
import type { RunStore } from './store.js';
import {
  addCounts,
  type BackfillFinding,
  type BackfillReport,
  byLocation,
  emptyCounts,
  FINDINGS_LIMIT,
  type RunManifest,
  type Segment,
  type ShardResult,
  type ShardSpec,
} from './types.js';

/** A shard's result from its segments, checking that they chain (each starts where the previous ended). Pure. */
export function mergeSegments(shard: ShardSpec, segments: readonly Segment[]): ShardResult {
  const counts = emptyCounts();
  const findings: BackfillFinding[] = [];
  // Inventory shards count rows from 0; key-range shards start after their lower bound.
  let from = shard.inventory ? '0' : (shard.after ?? '');
  segments.forEach((seg, i) => {
    if (seg.seq !== i || seg.from !== from) {
      throw new Error(
        `Shard ${shard.id}: segment ${i} starts after "${seg.from}"; expected "${from}" (the checkpoint chain is broken)`,
      );
    }
    addCounts(counts, seg.counts);
    findings.push(...seg.findings);
    from = seg.next;
  });
  if (!segments.at(-1)?.done) throw new Error(`Shard ${shard.id}: its last segment is not done`);
  return { shardId: shard.id, bucket: shard.bucket, segments: segments.length, counts, findings };
}

/** The aggregate report from every shard's result, in manifest order. Pure. */
export function buildReport(
  manifest: RunManifest,
  results: readonly ShardResult[],
  finishedAt: Date,
  aggregatedBy: string,
): BackfillReport {
  const summary = emptyCounts();
  const all: BackfillFinding[] = [];
  for (const r of results) {
    addCounts(summary, r.counts);
    all.push(...r.findings);
  }
  all.sort(byLocation);
  const findings = all.slice(0, FINDINGS_LIMIT);
  const { objects } = manifest.policy;
  return {
    schemaVersion: 1,
    kind: 'backfill',
    runId: manifest.runId,
    startedAt: manifest.startedAt,
    finishedAt: finishedAt.toISOString(),
    tool: { ...TOOL },
    mode: manifest.mode,
    policy: { source: manifest.policy.source, sha256: manifest.policy.sha256 },
    requirement: describeRequirement(objects.sse, objects.match),
    buckets: manifest.buckets,
    prefix: manifest.prefix,
    shards: results.map((r) => ({ id: r.shardId, segments: r.segments, objects: r.counts.objects })),
    summary,
    findings,
    ...(all.length > findings.length ? { findingsOmitted: all.length - findings.length } : {}),
    aggregatedBy,
    ...(manifest.inventory ? { inventory: inventorySummary(manifest, results) } : {}),
  };
}

/** Per bucket: the inventory's age at the run's start, and how many objects it settled or left to HeadObject. */
function inventorySummary(
  manifest: RunManifest,
  results: readonly ShardResult[],
): BackfillReport['inventory'] {
  const started = new Date(manifest.startedAt).getTime();
  return (manifest.inventory ?? []).map((src) => {
    const mine = results.filter((r) => r.bucket === src.bucket);
    const judged = mine.reduce((n, r) => n + (r.counts.fromInventory ?? 0), 0);
    const inScope = mine.reduce((n, r) => n + r.counts.objects - r.counts.outOfScope, 0);
    return {
      ...src,
      ageHours: Math.round(((started - new Date(src.scannedAt).getTime()) / 3_600_000) * 10) / 10,
      judgedFromInventory: judged,
      checkedWithHead: inScope - judged,
    };
  });
}

/** `aggregated`: this worker wrote (or had written) the report; `shard-done`: another one will. */
export type FinishOutcome = 'shard-done' | 'aggregated';

/**
 * Called by the worker that committed (or found) a shard's last segment: writes the shard's result, then
 * builds the aggregate if every shard is done and this worker holds the lock.
 */
export async function finishShard(
  store: RunStore,
  manifest: RunManifest,
  shard: ShardSpec,
  segmentCount: number,
  token: string,
  now: () => Date,
): Promise<FinishOutcome> {
  if ((await store.read(runPaths.done(shard.id))) === undefined) {
    const result = mergeSegments(shard, await readSegments(store, shard.id, segmentCount));
    // Deterministic from the segments: a second writer (a retry) creates nothing new.
    await store.create(runPaths.done(shard.id), JSON.stringify(result));
  }
  const done = new Set(await store.list(runPaths.doneDir));
  if (!manifest.shards.every((s) => done.has(`${s.id}.json`))) return 'shard-done';
  const lock = JSON.stringify({ shardId: shard.id, token, at: now().toISOString() });
  if (!(await store.create(runPaths.lock, lock))) {
    const held = await readJson<{ token?: string }>(store, runPaths.lock);
    if (held?.token !== token) return 'shard-done';
  }
  if ((await store.read(runPaths.report)) !== undefined) return 'aggregated';
  const results: ShardResult[] = [];
  for (const s of manifest.shards) {
    const r = await readJson<ShardResult>(store, runPaths.done(s.id));
    if (!r) throw new Error(`Shard ${s.id}: done/${s.id}.json disappeared`);
    results.push(r);
  }
  const report = buildReport(manifest, results, now(), shard.id);
  await store.create(runPaths.report, `${JSON.stringify(report, null, 2)}\n`);
  return 'aggregated';
}
