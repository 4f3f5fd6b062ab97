/**
 * Undo: restores the encryption configuration that buckets had before a given run changed them
 * (DeleteBucketEncryption where there was none). Dry run unless told to apply. The changes come from the
 * run's report or from its change journal (which a crashed run leaves even without a report). Each
 * bucket is read right before it is restored and restored only while it is still in the run's "after"
 * state; a bucket changed since is skipped, never overwritten. Run under the lease (the caller opens the
 * guard), so no remediating audit changes a bucket between that read and the restore.
 */
import type { Logger } from 'pino';
import type { BucketLocation } from '../cloud/oss.js';
import { CloudError, describeError } from '../errors.js';
import type { Report, SseConfig } from '../model.js';
import { describeConfig, sameConfig } from '../policy/levels.js';
import type { ChangeGuard } from '../safety/guard.js';
import { type JournalEntry, journalChanges } from '../safety/journal.js';
import type { AuditOss } from './deps.js';

export interface UndoOss extends Pick<AuditOss, 'getBucketEncryption' | 'putBucketEncryption'> {
  deleteBucketEncryption(b: BucketLocation): Promise<{ requestId?: string }>;
}

export interface UndoStep {
  bucket: string;
  region: string;
  status: 'restored' | 'would-restore' | 'skipped' | 'error';
  /** The configuration to restore (`null`: none). */
  restore: SseConfig | null;
  reason: string;
  requestId?: string;
}

export interface UndoOptions {
  apply: boolean;
  bucket?: string;
  logger?: Logger;
  /** The undo's own lease and journal: a refusal stops it; each restore is journaled before it is made. */
  guard?: ChangeGuard;
  /**
   * The run's change journal, when it has one: a report's change that the journal does not record is
   * skipped (a report edited to claim a change the run never made restores nothing).
   */
  journal?: readonly JournalEntry[];
}

/** One change to revert: the bucket went from `from` to `to`. */
export interface UndoChange {
  bucket: string;
  region: string;
  from: SseConfig | null;
  to: SseConfig;
  /** Set when the change must not be reverted (the step is reported `skipped` with this reason). */
  skip?: string;
}

/** The changes a run made, in report order (findings `remediated` with a put-bucket-encryption action). */
export function changesOf(report: Report, bucket?: string) {
  return report.findings.filter(
    (f) =>
      f.status === 'remediated' &&
      f.action?.kind === 'put-bucket-encryption' &&
      (!bucket || f.bucket === bucket),
  );
}

/** The report's changes, checked against the run's journal when there is one. */
export function reportChanges(report: Report, opts: Pick<UndoOptions, 'bucket' | 'journal'>): UndoChange[] {
  const journaled = opts.journal ? journalChanges(opts.journal) : undefined;
  return changesOf(report, opts.bucket).flatMap((f) => {
    const a = f.action;
    if (!a) return [];
    const change: UndoChange = { bucket: f.bucket, region: f.region, from: a.from, to: a.to };
    if (journaled) {
      const j = journaled.find((c) => c.bucket === f.bucket && c.region === f.region);
      if (!j || !sameConfig(j.to, a.to) || !sameConfig(j.from, a.from)) {
        change.skip = `the run's change journal does not record this change; the report is not trusted for it`;
      }
    }
    return [change];
  });
}

/** The changes a journal records: applied, or of unknown outcome (the bucket's state decides). */
export function journalUndoChanges(entries: readonly JournalEntry[], bucket?: string): UndoChange[] {
  return journalChanges(entries)
    .filter((c) => (!bucket || c.bucket === bucket) && c.to !== null)
    .map((c) => ({
      bucket: c.bucket,
      region: c.region,
      from: c.from,
      to: c.to as SseConfig,
      ...(c.outcome === 'not-applied' ? { skip: 'the journal records that this change did not apply' } : {}),
    }));
}

export async function undoRun(oss: UndoOss, report: Report, opts: UndoOptions): Promise<UndoStep[]> {
  return undoChanges(oss, reportChanges(report, opts), report.runId, opts);
}

export async function undoChanges(
  oss: UndoOss,
  changes: readonly UndoChange[],
  runId: string,
  opts: UndoOptions,
): Promise<UndoStep[]> {
  const steps: UndoStep[] = [];
  for (const c of changes) {
    const b = { name: c.bucket, region: c.region };
    const base = { bucket: c.bucket, region: c.region, restore: c.from };
    if (c.skip) {
      steps.push({ ...base, status: 'skipped', reason: c.skip });
      continue;
    }
    const refusal = opts.guard?.refusal(new Date());
    if (refusal) {
      steps.push({ ...base, status: 'skipped', reason: `not restored: ${refusal}` });
      continue;
    }
    try {
      // Right before the restore: only a bucket still in the run's "after" state is restored.
      const current = await oss.getBucketEncryption(b);
      if (!sameConfig(current, c.to)) {
        steps.push({
          ...base,
          status: 'skipped',
          reason: `not in the run's "after" state: now ${describeConfig(current)}, run ${runId} applied ${describeConfig(c.to)}`,
        });
        continue;
      }
      const what = c.from
        ? `restore ${describeConfig(c.from)}`
        : 'remove the default encryption (there was none)';
      if (!opts.apply) {
        steps.push({ ...base, status: 'would-restore', reason: `would ${what}` });
        continue;
      }
      await opts.guard?.intent({ bucket: c.bucket, region: c.region, from: c.to, to: c.from });
      const { requestId } = c.from
        ? await oss.putBucketEncryption(b, c.from)
        : await oss.deleteBucketEncryption(b);
      const after = await oss.getBucketEncryption(b);
      if (!sameConfig(after, c.from)) {
        await opts.guard?.outcome({ bucket: c.bucket, region: c.region, outcome: 'unknown' });
        steps.push({
          ...base,
          status: 'error',
          reason: `read back ${describeConfig(after)} after trying to ${what}`,
        });
        continue;
      }
      await opts.guard?.outcome({
        bucket: c.bucket,
        region: c.region,
        outcome: 'applied',
        ...(requestId ? { requestId } : {}),
      });
      opts.logger?.info(
        {
          bucket: c.bucket,
          region: c.region,
          from: describeConfig(c.to),
          to: describeConfig(c.from),
          ossRequestId: requestId,
          undoOf: runId,
        },
        'encryption restored',
      );
      steps.push({
        ...base,
        status: 'restored',
        reason: what.replace(/^restore/, 'restored').replace(/^remove/, 'removed'),
        ...(requestId ? { requestId } : {}),
      });
    } catch (err) {
      const code = err instanceof CloudError ? `${err.code}: ` : '';
      steps.push({ ...base, status: 'error', reason: `${code}${describeError(err)}` });
    }
  }
  return steps;
}
