/**
 * Undo: restores the encryption configuration that buckets had before a given run changed them
 * (DeleteBucketEncryption where there was none). Dry run unless told to apply; a bucket whose
 * configuration changed again since that run is skipped, never overwritten.
 */
import type { Logger } from 'pino';
import type { BucketLocation } from '../cloud/oss.js';
import { CloudError, describeError } from '../errors.js';
import type { Report, SseConfig } from '../model.js';
import { describeConfig, sameConfig } from '../policy/levels.js';
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

export async function undoRun(oss: UndoOss, report: Report, opts: UndoOptions): Promise<UndoStep[]> {
  const steps: UndoStep[] = [];
  for (const f of changesOf(report, opts.bucket)) {
    const action = f.action;
    if (!action) continue;
    const b = { name: f.bucket, region: f.region };
    const base = { bucket: f.bucket, region: f.region, restore: action.from };
    try {
      const current = await oss.getBucketEncryption(b);
      if (!sameConfig(current, action.to)) {
        steps.push({
          ...base,
          status: 'skipped',
          reason: `changed since run ${report.runId}: now ${describeConfig(current)}, the run applied ${describeConfig(action.to)}`,
        });
        continue;
      }
      const what = action.from
        ? `restore ${describeConfig(action.from)}`
        : 'remove the default encryption (there was none)';
      if (!opts.apply) {
        steps.push({ ...base, status: 'would-restore', reason: `would ${what}` });
        continue;
      }
      const { requestId } = action.from
        ? await oss.putBucketEncryption(b, action.from)
        : await oss.deleteBucketEncryption(b);
      const after = await oss.getBucketEncryption(b);
      if (!sameConfig(after, action.from)) {
        steps.push({
          ...base,
          status: 'error',
          reason: `read back ${describeConfig(after)} after trying to ${what}`,
        });
        continue;
      }
      opts.logger?.info(
        {
          bucket: f.bucket,
          region: f.region,
          from: describeConfig(action.to),
          to: describeConfig(action.from),
          ossRequestId: requestId,
          undoOf: report.runId,
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
