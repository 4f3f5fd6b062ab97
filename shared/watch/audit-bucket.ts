/**
 * The single-bucket audit a change starts: `runAudit` with exactly that bucket, so evaluation, safety
 * gates (exempt, never weaker, cap, dry run), KMS pre-flight, remediation and read-back are the timer
 * audit's own. Then the run's report is stored (under its own location, never as `latest.json`, so the
 * timer's drift baseline stays the timer's) and its alert sent.
 */
import { changeAlerts } from '../alerts/change-messages.js';
import { type AlertsSetup, notify } from '../alerts/notify.js';
import type { AuditDeps } from '../audit/deps.js';
import { runAudit } from '../audit/run.js';
import { isThrottlingCode } from '../cloud/cloud-error.js';
import { CloudError, describeError } from '../errors.js';
import type { FindingError } from '../model.js';
import type { LoadedPolicy } from '../policy/load.js';
import { renderJson } from '../report/render.js';
import type { ReportStore } from '../report/store.js';
import type { BucketChange } from './change.js';
import type { RunOutcome, WatchReport } from './types.js';

/** One change-triggered run: the policy, the change, and where its report and alert go. */
export interface ChangeAuditOptions {
  policy: LoadedPolicy;
  dryRun: boolean;
  change: BucketChange;
  runId: string;
  /** Epoch ms by which the invocation must return (the function's timeout). */
  deadline?: number;
  /** Where run reports go (e.g. `<OSS_SSE_GUARD_REPORT>/watch`); absent: not written. */
  store?: ReportStore;
  alerts?: AlertsSetup;
}

/** Whether a bucket's read or change failed for a reason another attempt may not meet. */
export function retryableError(error: FindingError | undefined): boolean {
  if (!error) return false;
  if (error.code === 'NotChecked') return true;
  const status = error.status ?? 0;
  return status === -1 || status === 429 || status >= 500 || isThrottlingCode(error.code);
}

/** Milliseconds from the change to the bucket seen compliant; never negative (event times may be whole seconds). */
export function eventToCompliant(
  change: BucketChange,
  compliantAtMs: number | undefined,
): number | undefined {
  if (compliantAtMs === undefined || change.eventTimeMs === undefined) return undefined;
  return Math.max(0, compliantAtMs - change.eventTimeMs);
}

/** Audits the changed bucket once, stores the run's report and sends its alert. Never rejects. */
export async function auditChangedBucket(deps: AuditDeps, opts: ChangeAuditOptions): Promise<RunOutcome> {
  const { change, runId } = opts;
  const log = deps.logger.child({ bucket: change.bucket, region: change.region, runId });
  const base = { runId, change, changed: false, alerts: [] };
  let audited: Awaited<ReturnType<typeof runAudit>>;
  try {
    audited = await runAudit(deps, {
      policy: opts.policy,
      dryRun: opts.dryRun,
      buckets: [{ name: change.bucket, region: change.region }],
      deadline: opts.deadline,
      runId,
    });
  } catch (err) {
    // runAudit throws only when its bucket list cannot be read; with an explicit list that is a bug.
    log.error({ err: describeError(err) }, 'change audit failed');
    const retryable = err instanceof CloudError && err.retryable;
    return { ...base, status: 'error', reason: `audit failed: ${describeError(err)}`, retryable };
  }
  const finding = audited.findings[0];
  if (!finding) {
    return { ...base, status: 'error', reason: 'the audit returned no finding', retryable: false };
  }
  const gone = finding.status === 'error' && finding.error?.code === 'NoSuchBucket';
  const compliant = finding.status === 'compliant' || finding.status === 'remediated';
  const compliantAtMs = compliant ? Date.parse(audited.finishedAt) : undefined;
  const eventToCompliantMs = eventToCompliant(change, compliantAtMs);
  const report: WatchReport = {
    ...audited,
    trigger: {
      kind: 'bucket-watch',
      eventId: change.eventId,
      type: change.type,
      operation: change.operation,
      ...(change.eventTime ? { eventTime: change.eventTime } : {}),
      ...(change.actor ? { actor: change.actor } : {}),
      ...(eventToCompliantMs === undefined ? {} : { eventToCompliantMs }),
    },
  };
  const outcome: RunOutcome = {
    ...base,
    status: gone ? 'gone' : finding.status,
    finding,
    report,
    changed: finding.action?.at !== undefined,
    ...(compliantAtMs === undefined ? {} : { compliantAtMs }),
    reason: gone ? 'the bucket no longer exists: nothing to do' : finding.reason,
    retryable: !gone && retryableError(finding.error),
  };
  if (opts.store) {
    try {
      outcome.reportPath = await opts.store.write(
        opts.store.runPath(report, 'json'),
        renderJson(report),
        'application/json',
      );
    } catch (err) {
      // The bucket is already as the policy wants it; a report that cannot be written must not undo that.
      log.warn({ err: describeError(err), location: opts.store.location }, 'watch report not written');
    }
  }
  if (opts.alerts) {
    // Nothing to say (compliant and unchanged): no sink is built, so nothing is recorded either.
    const messages = changeAlerts(outcome, eventToCompliantMs);
    if (messages.length > 0) outcome.alerts = await notify(messages, opts.alerts, log);
  }
  return outcome;
}
