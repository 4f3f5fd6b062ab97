/**
 * The audit job as the timer function runs it: policy from settings, audit, reports, a small summary.
 */
import type { Settings } from '../config.js';
import type { Report } from '../model.js';
import { loadPolicy } from '../policy/load.js';
import { writeReports } from '../report/write.js';
import type { Runtime } from '../runtime.js';
import { runAudit } from './run.js';

export interface AuditJobOptions {
  settings: Settings;
  /** Epoch ms by which the invocation must return. */
  deadline?: number;
  runId?: string;
}

export interface AuditSummary {
  runId: string;
  mode: Report['mode'];
  total: number;
  byStatus: Report['summary']['byStatus'];
  incomplete?: Report['incomplete'];
  reports: string[];
}

/** Loads the policy (refusing to act on a bad one), audits, writes the reports, returns a summary. */
export async function auditJob(
  runtime: Runtime,
  opts: AuditJobOptions,
): Promise<{ report: Report; summary: AuditSummary }> {
  const { settings } = opts;
  const policy = await loadPolicy(settings.policyRef, (bucket, key) =>
    runtime.oss.getObjectText(bucket, key),
  );
  const report = await runAudit(runtime, {
    policy,
    dryRun: settings.dryRun,
    deadline: opts.deadline,
    runId: opts.runId,
  });
  const reports = settings.reportLocation
    ? await writeReports(report, settings.reportLocation, ['json'])
    : [];
  return {
    report,
    summary: {
      runId: report.runId,
      mode: report.mode,
      total: report.summary.total,
      byStatus: report.summary.byStatus,
      ...(report.incomplete ? { incomplete: report.incomplete } : {}),
      reports,
    },
  };
}
