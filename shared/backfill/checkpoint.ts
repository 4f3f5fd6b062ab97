/**
 * Checkpoints: a shard is a chain of steps 0, 1, 2...; step N's result is the segment `seg-N`, created
 * once, holding the marker the next step starts after. Before working on step N an invocation creates
 * `claim-N` with its dispatch token; step N is then processed only under that token.
 *
 * Why both: a segment is the checkpoint and is written create-only, so the chain of segments is always
 * consistent (segment N+1 always starts where segment N ended, whoever wrote them). A claim keeps two
 * dispatches from doing the same step's work twice: when a worker hands off to a continuation and then
 * its own invocation is retried by Function Compute (a lost reply, a crash after the hand-off), only one
 * of the two claims the next step; the other stops. A retry of the same dispatch carries the same token
 * and may re-enter its claim: that is how a killed invocation resumes from its last checkpoint.
 */

import { randomUUID } from 'node:crypto';
import { mapBounded } from '../pool.js';
import type { RunStore } from './store.js';
import type { Segment } from './types.js';

const pad = (n: number) => String(n).padStart(6, '0');

/** Paths inside the run folder. */
export const runPaths = {
  manifest: 'run.json',
  claim: (shardId: string, seq: number) => `shards/${shardId}/claim-${pad(seq)}.json`,
  segment: (shardId: string, seq: number) => `shards/${shardId}/seg-${pad(seq)}.json`,
  doneDir: 'done',
  done: (shardId: string) => `done/${shardId}.json`,
  lock: 'aggregate.lock',
  report: 'report.json',
} as const;

/** A new dispatch token. */
export const newToken = (): string => randomUUID();

/** A run file parsed as JSON; `undefined` when there is no such file. */
export async function readJson<T>(store: RunStore, path: string): Promise<T | undefined> {
  const text = await store.read(path);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/** Where a shard stands: the last segment (if any) and the next step number. */
export interface Position {
  last?: Segment;
  nextSeq: number;
}

/**
 * Reads forward from `seq`: segment `seq - 1` (the one the dispatcher committed) and every segment after
 * it, up to the first missing one.
 */
export async function findPosition(store: RunStore, shardId: string, seq: number): Promise<Position> {
  let last = seq > 0 ? await readJson<Segment>(store, runPaths.segment(shardId, seq - 1)) : undefined;
  let n = seq;
  for (;;) {
    const seg = await readJson<Segment>(store, runPaths.segment(shardId, n));
    if (!seg) return { ...(last ? { last } : {}), nextSeq: n };
    last = seg;
    n += 1;
  }
}

/** Claims step `seq` for `token`: true when it is ours (newly, or again on a retry of the same dispatch). */
export async function claimStep(
  store: RunStore,
  shardId: string,
  seq: number,
  token: string,
): Promise<boolean> {
  const path = runPaths.claim(shardId, seq);
  if (await store.create(path, JSON.stringify({ token }))) return true;
  const held = await readJson<{ token?: string }>(store, path);
  return held?.token === token;
}

/**
 * Commits a segment. Returns the segment that stands: ours, or the one another attempt created first
 * (then the caller continues from that one and drops its own result for the step).
 */
export async function commitSegment(store: RunStore, seg: Segment): Promise<Segment> {
  const path = runPaths.segment(seg.shardId, seg.seq);
  if (await store.create(path, JSON.stringify(seg))) return seg;
  const existing = await readJson<Segment>(store, path);
  if (!existing) throw new Error(`Segment ${path} exists but cannot be read`);
  return existing;
}

/** Every segment of a shard, `0..count-1`, read with bounded concurrency. */
export async function readSegments(
  store: RunStore,
  shardId: string,
  count: number,
  concurrency = 8,
): Promise<Segment[]> {
  const indexes = Array.from({ length: count }, (_, i) => i);
  return mapBounded(indexes, concurrency, async (i) => {
    const seg = await readJson<Segment>(store, runPaths.segment(shardId, i));
    if (!seg) throw new Error(`Shard ${shardId}: segment ${i} of ${count} is missing`);
    return seg;
  });
}
