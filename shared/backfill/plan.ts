/**
 * Splitting a bucket into key ranges. A range is `(after, until]` in key order; any increasing list of
 * boundary strings cuts the key space into ranges that cover every key exactly once, so boundaries need
 * not be keys. The planner looks for boundaries that give ranges of similar size, cheaply:
 *
 * 1. prefixes: common prefixes under the run's prefix (delimiter `/`), one level and then one more when
 *    the first gives too few; keys are usually laid out by date, tenant or kind, so prefixes are the
 *    natural split. Ranges get equal numbers of prefixes (sizes are unknown without listing them).
 * 2. keys: otherwise (a flat key space) the first `sampleKeys` keys are listed and cut into equal counts.
 *    When the bucket has more keys than that, the keys after the sample form the last range.
 *
 * Listing is cheap next to the work per object (one ListObjects per 1000 keys against one HeadObject per
 * key, and a copy for each one to encrypt), so planning costs little against the scan it divides.
 */

import type { ObjectLister } from '../cloud/oss-listing.js';
import type { ObjectLocation } from '../cloud/oss-objects.js';
import type { ShardSpec } from './types.js';

/** How finely to split a bucket, and how much listing planning may spend. */
export interface PlanOptions {
  /** Ranges wanted per bucket (at most; fewer when the bucket offers fewer boundaries). */
  shards: number;
  /** Prefixes listed per level before giving up on that level (default 5000). */
  maxPrefixes?: number;
  /** Keys listed when the key space is flat (default 10000). */
  sampleKeys?: number;
}

/** One bucket's ranges, and how they were found. */
export interface BucketPlan {
  planner: 'single' | 'prefixes' | 'keys';
  shards: ShardSpec[];
}

/**
 * `count - 1` boundaries picked evenly from sorted, distinct `candidates` (fewer when there are not
 * enough). Pure.
 */
export function pickBoundaries(candidates: readonly string[], count: number): string[] {
  const sorted = [...new Set(candidates)].sort();
  if (count <= 1 || sorted.length === 0) return [];
  const n = Math.min(count - 1, sorted.length);
  const out: string[] = [];
  for (let i = 1; i <= n; i += 1) {
    const b = sorted[Math.min(sorted.length - 1, Math.floor((i * sorted.length) / (n + 1)))];
    if (b !== undefined && b !== out.at(-1)) out.push(b);
  }
  return out;
}

/** Ranges `(-, b1], (b1, b2], ..., (bn, -)` of one bucket, with stable ids. Pure. */
export function rangesFrom(bucket: ObjectLocation, boundaries: readonly string[]): ShardSpec[] {
  const shards: ShardSpec[] = [];
  for (let i = 0; i <= boundaries.length; i += 1) {
    const after = boundaries[i - 1];
    const until = boundaries[i];
    shards.push({
      id: `${bucket.bucket}.${String(i).padStart(3, '0')}`,
      bucket: bucket.bucket,
      region: bucket.region,
      ...(after !== undefined ? { after } : {}),
      ...(until !== undefined ? { until } : {}),
    });
  }
  return shards;
}

/** Prefixes one or two levels below `prefix`; stops descending once there are enough. */
async function discoverPrefixes(
  lister: ObjectLister,
  loc: ObjectLocation,
  prefix: string,
  wanted: number,
  limit: number,
): Promise<string[]> {
  const top = await lister.prefixes(loc, prefix, limit);
  if (top.prefixes.length >= wanted || top.truncated || top.prefixes.length === 0) return top.prefixes;
  // A prefix with children is replaced by them (it would only duplicate its first child as a boundary).
  const found: string[] = [];
  for (const [i, p] of top.prefixes.entries()) {
    const below = await lister.prefixes(loc, p, Math.max(1, limit - found.length));
    found.push(...(below.prefixes.length > 0 ? below.prefixes : [p]));
    if (found.length >= limit) return [...found, ...top.prefixes.slice(i + 1)];
  }
  return found;
}

/** Plans the ranges of one bucket under `prefix`. */
export async function planBucket(
  lister: ObjectLister,
  loc: ObjectLocation,
  prefix: string,
  opts: PlanOptions,
): Promise<BucketPlan> {
  if (opts.shards <= 1) return { planner: 'single', shards: rangesFrom(loc, []) };
  const prefixes = await discoverPrefixes(lister, loc, prefix, opts.shards, opts.maxPrefixes ?? 5000);
  if (prefixes.length >= opts.shards - 1) {
    return { planner: 'prefixes', shards: rangesFrom(loc, pickBoundaries(prefixes, opts.shards)) };
  }
  const sample = await lister.keys(loc, prefix, opts.sampleKeys ?? 10_000);
  if (sample.keys.length < 2) return { planner: 'single', shards: rangesFrom(loc, []) };
  // A truncated sample: the keys after it are one more range, so the sample gives one range fewer.
  const count = sample.truncated ? opts.shards - 1 : opts.shards;
  const cuts = pickBoundaries(sample.keys, count);
  const last = sample.keys.at(-1);
  if (sample.truncated && last !== undefined && cuts.at(-1) !== last) cuts.push(last);
  return { planner: 'keys', shards: rangesFrom(loc, cuts) };
}
