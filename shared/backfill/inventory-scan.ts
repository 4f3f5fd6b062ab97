/**
 * One step of an inventory-driven shard: take a page of rows from the inventory file, count the rows the
 * inventory settles (encrypted, where any encryption meets the requirement) without a request, and send
 * every other row in scope through `scanObjects` — the upload guard's own check: HeadObject right before
 * acting, the verdict on what the object is now, and for `encrypt` the in-place copy gated on the ETag the
 * inventory recorded. So an object encrypted since the inventory is found encrypted and left alone, one
 * overwritten since is never copied over (its ETag changed; the new upload had its own event), and one
 * deleted since is reported `missing`.
 *
 * The checkpoint is a row count: when the scan stops early (deadline, retryable failure) the step ends at
 * the first candidate row not checked, and only the settled rows before it are counted.
 */
import type { ObjectLocation } from '../cloud/oss-objects.js';
import { outOfScope } from '../objects/scope.js';
import type { Policy } from '../policy/schema.js';
import { encryptedRowSettles, judgeRow } from './inventory.js';
import type { InventoryRow, InventoryRows } from './inventory-rows.js';
import { type ScanDeps, scanObjects } from './scan.js';
import { addCounts, type BackfillFinding, type Counts, emptyCounts } from './types.js';

/** Pages of rows one step reads at most (with pageSize 1000: 100,000 rows, one checkpoint). */
export const ROW_PAGES_PER_STEP = 100;

/** The outcome of one inventory step. */
export interface InventoryStep {
  /** Rows consumed up to the end of this step (the checkpoint). */
  next: number;
  /** The file's last row was consumed. */
  done: boolean;
  counts: Counts;
  findings: BackfillFinding[];
  /** Objects checked with HeadObject in this step. */
  checked: number;
  retryableFailure?: string;
}

/** Takes up to `pageSize` rows from `rows` (already at the checkpoint) and judges or checks each. */
export async function inventoryStep(
  deps: ScanDeps,
  policy: Policy,
  loc: ObjectLocation,
  rows: InventoryRows,
  opts: { prefix: string; pageSize: number; concurrency: number; stopAt: number },
): Promise<InventoryStep> {
  const objects = policy.objects;
  if (!objects) throw new Error('inventory step: the run policy has no objects section');
  const settles = encryptedRowSettles(objects);
  type Kind = 'skip' | 'out' | 'settled' | 'check';
  const kindOf = (r: InventoryRow): Kind => {
    if (!r.current || !r.key.startsWith(opts.prefix)) return 'skip';
    if (outOfScope(objects, loc.bucket, r.key) !== undefined) return 'out';
    return judgeRow(r.encryption, settles) === 'compliant' ? 'settled' : 'check';
  };
  // A step gathers up to `pageSize` objects to check, reading at most MAX_ROWS_PER_STEP pages of rows:
  // settled rows cost nothing, so a checkpoint per `pageSize` rows would be mostly bookkeeping.
  const page: { rows: InventoryRow[]; end: boolean } = { rows: [], end: false };
  const kinds: Kind[] = [];
  let wanted = 0;
  while (!page.end && wanted < opts.pageSize && page.rows.length < opts.pageSize * ROW_PAGES_PER_STEP) {
    const more = await rows.take(opts.pageSize);
    for (const r of more.rows) {
      const kind = kindOf(r);
      kinds.push(kind);
      page.rows.push(r);
      if (kind === 'check') wanted += 1;
    }
    page.end = more.end;
  }
  const candidates = page.rows.filter((_, i) => kinds[i] === 'check');
  const scan = await scanObjects(
    deps,
    policy,
    loc,
    candidates.map((r) => ({ key: r.key, etag: r.etag, size: r.size })),
    { concurrency: opts.concurrency, stopAt: opts.stopAt },
  );
  // Rows before the first candidate not checked are consumed; the step ends there.
  const cut = scan.checked < candidates.length ? (candidates[scan.checked] as InventoryRow).index : undefined;
  const counts: Counts = emptyCounts();
  let fromInventory = 0;
  page.rows.forEach((r, i) => {
    if (cut !== undefined && r.index >= cut) return;
    const kind = kinds[i];
    if (kind === 'skip' || kind === 'check') return;
    counts.objects += 1;
    if (kind === 'out') counts.outOfScope += 1;
    else {
      counts.byVerdict.encrypted += 1;
      counts.actions.none += 1;
      fromInventory += 1;
    }
  });
  addCounts(counts, scan.counts);
  counts.fromInventory = fromInventory;
  const first = page.rows[0]?.index ?? rows.position;
  const next = cut ?? first + page.rows.length;
  return {
    next,
    done: cut === undefined && page.end && !scan.retryableFailure,
    counts,
    findings: scan.findings,
    checked: scan.checked,
    ...(scan.retryableFailure ? { retryableFailure: scan.retryableFailure } : {}),
  };
}
