/**
 * Checking listed objects with the upload guard's own code. Each object goes through `guardObjects` as a
 * one-record OSS event carrying the key, size and ETag the listing gave, so the backfill applies the
 * object policy exactly as the guard does: scope (`objects.buckets`, `include`, `exclude`), HeadObject,
 * the verdict, and for `encrypt` the in-place copy with all its gates. The state check comes first there:
 * an object already encrypted as required is never copied again, which is what makes a retried range
 * safe. The listed ETag plays the event's part: the copy happens only while the object still has it, so
 * an upload that lands during the scan is never overwritten (its own event reaches the guard).
 *
 * Objects are checked with bounded concurrency, in key order: a worker takes the next key only while
 * there is time left, so the checked keys are always a prefix of the list and the checkpoint is the last
 * of them. A retryable cloud error (throttling, 5xx, network, after the gateway's retries) stops taking
 * keys; the keys before the first failure are kept, the rest are left to the retry.
 */

import type { ListedObject } from '../cloud/oss-listing.js';
import type { ObjectGateway, ObjectLocation } from '../cloud/oss-objects.js';
import type { RetryOptions } from '../cloud/retry.js';
import type { Logger } from '../log.js';
import { guardObjects } from '../objects/guard.js';
import type { OwnWrites } from '../objects/own-writes.js';
import type { ObjectFinding } from '../objects/types.js';
import type { Policy } from '../policy/schema.js';
import { mapBounded } from '../pool.js';
import type { Clock, KeyInspector } from '../ports.js';
import { type BackfillFinding, type Counts, emptyCounts } from './types.js';

/** What checking objects needs: the guard's dependencies. */
export interface ScanDeps {
  oss: ObjectGateway;
  /** Memoised by the caller: one DescribeKey per key and region for the whole invocation. */
  kms: KeyInspector;
  logger: Logger;
  ownWrites: OwnWrites;
  clock: Clock;
  retry?: RetryOptions;
}

/** The outcome of checking a list of objects. */
export interface ScanResult {
  /** How many of the given objects were checked: always the first ones. */
  checked: number;
  counts: Counts;
  findings: BackfillFinding[];
  /** A retryable cloud error stopped the scan; the invocation should fail so it is retried. */
  retryableFailure?: string;
}

/** The one-record OSS event the guard parses (Function Compute "OSS trigger" event format). */
function eventFor(loc: ObjectLocation, o: ListedObject): unknown {
  return {
    events: [
      {
        eventName: 'ObjectCreated:PutObject',
        eventSource: 'acs:oss',
        region: loc.region,
        oss: {
          bucket: { name: loc.bucket },
          object: { key: o.key, size: o.size, eTag: o.etag.replace(/^"|"$/g, '') },
        },
      },
    ],
  };
}

/** The report's view of a guard finding: event fields dropped, the bucket kept. */
function toFinding(f: ObjectFinding): BackfillFinding {
  return {
    bucket: f.bucket,
    key: f.key,
    ...(f.size !== undefined ? { size: f.size } : {}),
    verdict: f.verdict,
    observed: f.observed,
    reason: f.reason,
    action: f.action,
    ...(f.versioning ? { versioning: f.versioning } : {}),
    ...(f.keyState ? { keyState: f.keyState } : {}),
    ...(f.keyOrigin ? { keyOrigin: f.keyOrigin } : {}),
    ...(f.keyProtection ? { keyProtection: f.keyProtection } : {}),
    ...(f.error ? { error: f.error } : {}),
  };
}

type Outcome =
  | { kind: 'out-of-scope' }
  | { kind: 'checked'; finding: ObjectFinding }
  | { kind: 'retry'; why: string };

async function checkOne(
  deps: ScanDeps,
  policy: Policy,
  loc: ObjectLocation,
  o: ListedObject,
): Promise<Outcome> {
  const summary = await guardObjects(
    {
      oss: deps.oss,
      kms: deps.kms,
      logger: deps.logger,
      ownWrites: deps.ownWrites,
      clock: deps.clock,
      ...(deps.retry ? { retry: deps.retry } : {}),
    },
    { policy, events: eventFor(loc, o) },
  );
  const finding = summary.findings[0];
  if (!finding) return { kind: 'out-of-scope' };
  if (summary.retryableFailure) return { kind: 'retry', why: finding.error?.message ?? finding.reason };
  return { kind: 'checked', finding };
}

/** Checks `objects` in order until `stopAt` (epoch ms) or a retryable failure. */
export async function scanObjects(
  deps: ScanDeps,
  policy: Policy,
  loc: ObjectLocation,
  objects: readonly ListedObject[],
  opts: { concurrency: number; stopAt: number },
): Promise<ScanResult> {
  const now = () => deps.clock.now().getTime();
  let stopped = false;
  // The slowest check so far: a key is started only if a check that slow would still end by `stopAt`,
  // so the keys in flight when time runs out finish inside the reserve rather than past the deadline.
  let slowest = 0;
  // Keys never started are holes (undefined): the tally below stops at the first one.
  const outcomes: Array<Outcome | undefined> = await mapBounded(
    objects,
    opts.concurrency,
    async (o) => {
      const began = now();
      const outcome = await checkOne(deps, policy, loc, o);
      slowest = Math.max(slowest, now() - began);
      if (outcome.kind === 'retry') stopped = true;
      return outcome;
    },
    { canStart: () => !stopped && now() + slowest < opts.stopAt },
  );
  const result: ScanResult = { checked: 0, counts: emptyCounts(), findings: [] };
  for (const outcome of outcomes) {
    if (outcome === undefined) break;
    if (outcome.kind === 'retry') {
      result.retryableFailure = outcome.why;
      break;
    }
    result.checked += 1;
    result.counts.objects += 1;
    if (outcome.kind === 'out-of-scope') {
      result.counts.outOfScope += 1;
      continue;
    }
    const f = outcome.finding;
    result.counts.byVerdict[f.verdict] += 1;
    result.counts.actions[f.action.kind] += 1;
    // Compliant objects are counted, not listed: a report of millions of "fine" lines helps nobody.
    if (f.verdict !== 'encrypted' || f.action.kind !== 'none') result.findings.push(toFinding(f));
  }
  return result;
}
