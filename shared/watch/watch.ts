/**
 * The bucket watch's entry point: EventBridge payload -> CloudEvents -> bucket changes (ignoring, with a
 * reason, other services, other accounts, other OSS events and malformed ones) -> one coalesced audit per
 * bucket -> a result per event and a summary. Never throws on input: a bad event is counted and logged,
 * not retried. The summary says whether a retryable cloud error happened, so the handler can fail the
 * invocation and let Function Compute retry it (a retry is safe: the audit re-reads before it acts).
 */

import { randomUUID } from 'node:crypto';
import type { AlertsSetup } from '../alerts/notify.js';
import type { AuditDeps } from '../audit/deps.js';
import type { Logger } from '../log.js';
import type { LoadedPolicy } from '../policy/load.js';
import type { ReportStore } from '../report/store.js';
import { auditChangedBucket, eventToCompliant } from './audit-bucket.js';
import { RemediationBudget } from './budget.js';
import { type BucketChange, toBucketChange } from './change.js';
import { BucketCoalescer, OwnAccessKeys } from './coalesce.js';
import { type IgnoredEvent, type IgnoredKind, parseEnvelope } from './envelope.js';
import type { RunOutcome, WatchResult, WatchSummary } from './types.js';

/** The audit's dependencies plus the watch's per-instance state and outputs. */
export interface WatchDeps extends AuditDeps {
  /** Serialises and coalesces audits per bucket; keep one per instance. Default: one per call. */
  coalescer?: BucketCoalescer<RunOutcome>;
  /** Access key ids this instance uses, to recognise the echo of its own changes. */
  ownKeys?: OwnAccessKeys;
  /** Where each run's report goes; absent: none written. */
  store?: ReportStore;
  alerts?: AlertsSetup;
}

/** One invocation's input. */
export interface WatchInput {
  policy: LoadedPolicy;
  /** What Function Compute passed: one CloudEvent or a list of them (a Buffer, its text, or parsed). */
  events: Buffer | string | unknown;
  /** This function's account (the FC context's `accountId`): events of other accounts are ignored. */
  accountId: string;
  dryRun: boolean;
  /** Epoch ms by which the invocation must return. */
  deadline?: number;
  /** The invocation's request id; run ids are `<requestId>-e<index>`. */
  requestId?: string;
}

const IGNORED_KINDS: readonly IgnoredKind[] = [
  'malformed',
  'foreign-service',
  'foreign-account',
  'not-handled',
  'failed-call',
];

function logIgnored(log: Logger, e: IgnoredEvent): void {
  // Not handled (another OSS call) is routine; anything else means the trigger's pattern or input is off.
  if (e.kind === 'not-handled') log.info(e, 'event ignored');
  else log.warn(e, 'event ignored');
}

function logResult(log: Logger, r: WatchResult): void {
  const line = { ...r, actor: r.actor?.userName ?? r.actor?.principalId };
  if (r.status === 'error') log.error(line, 'bucket change handled');
  else if (
    r.status === 'compliant' ||
    r.status === 'remediated' ||
    r.status === 'exempt' ||
    r.status === 'gone'
  )
    log.info(line, 'bucket change handled');
  else log.warn(line, 'bucket change handled');
}

/** Handles one EventBridge payload. Never throws; see the module comment. */
export async function watchEvents(deps: WatchDeps, input: WatchInput): Promise<WatchSummary> {
  const log = deps.logger.child({ component: 'bucket-watch' });
  const coalescer = deps.coalescer ?? new BucketCoalescer<RunOutcome>();
  const ownKeys = deps.ownKeys ?? new OwnAccessKeys();
  const parsed = parseEnvelope(input.events);
  const ignored: IgnoredEvent[] = [...parsed.ignored];
  const changes: BucketChange[] = [];
  for (const { index, event } of parsed.events) {
    const c = toBucketChange(event, index, { accountId: input.accountId });
    if ('reason' in c) ignored.push(c);
    else changes.push(c);
  }
  for (const e of ignored) logIgnored(log, e);
  const requestId = input.requestId ?? randomUUID();
  const budget = new RemediationBudget(input.policy.policy.limits.maxRemediationsPerRun);
  /** The policy for one single-bucket run: the cap it may use is what the invocation has left (0 or 1). */
  const capped = (allowed: boolean): LoadedPolicy => {
    const { policy } = input.policy;
    return {
      ...input.policy,
      policy: { ...policy, limits: { ...policy.limits, maxRemediationsPerRun: allowed ? 1 : 0 } },
    };
  };

  const handled = await Promise.all(
    changes.map(async (change) => {
      const ownChange = ownKeys.has(change.actor?.accessKeyId);
      log.info(
        {
          bucket: change.bucket,
          region: change.region,
          operation: change.operation,
          eventId: change.eventId,
          eventTime: change.eventTime,
          actorType: change.actor?.type,
          accessKeyId: change.actor?.accessKeyId,
          ownChange,
        },
        // Our own PutBucketEncryption comes back through ActionTrail: say so, then audit it like any other.
        ownChange ? 'own change event' : 'bucket change received',
      );
      const { value: run, joined } = await coalescer.run(`${change.region}/${change.bucket}`, async () => {
        const allowed = input.dryRun || (await budget.acquire());
        let changed = false;
        try {
          const outcome = await auditChangedBucket(deps, {
            policy: input.dryRun ? input.policy : capped(allowed),
            dryRun: input.dryRun,
            change,
            runId: `${requestId}-e${change.index}`,
            deadline: input.deadline,
            store: deps.store,
            alerts: deps.alerts,
          });
          changed = outcome.changed;
          return outcome;
        } finally {
          if (!input.dryRun && allowed) budget.release(changed);
        }
      });
      return { run, joined, result: toResult(change, run, ownChange, joined) };
    }),
  );
  const results = handled.map((h) => h.result);
  for (const r of results) logResult(log, r);
  // Changes and alerts count in the invocation whose event started the run, once; a failure worth a
  // retry counts for every event that shared the run, since none of them was handled.
  const runs = [...new Map(handled.filter((h) => !h.joined).map((h) => [h.run.runId, h.run])).values()];
  const deliveries = runs.flatMap((r) => r.alerts);
  const summary: WatchSummary = {
    events: parsed.total,
    results,
    ignored,
    ignoredByKind: Object.fromEntries(
      IGNORED_KINDS.map((k) => [k, ignored.filter((e) => e.kind === k).length]),
    ) as Record<IgnoredKind, number>,
    byStatus: {},
    changesApplied: runs.filter((r) => r.changed).length,
    alerts: { sent: deliveries.filter((d) => d.ok).length, failed: deliveries.filter((d) => !d.ok).length },
    retryableFailure: handled.some((h) => h.run.retryable),
  };
  for (const r of results) summary.byStatus[r.status] = (summary.byStatus[r.status] ?? 0) + 1;
  log.info(
    {
      events: summary.events,
      changes: results.length,
      runs: runs.length,
      ignored: summary.ignoredByKind,
      byStatus: summary.byStatus,
      changesApplied: summary.changesApplied,
      eventToCompliantMs: results.flatMap((r) =>
        r.eventToCompliantMs === undefined ? [] : [r.eventToCompliantMs],
      ),
    },
    'bucket watch done',
  );
  return summary;
}

function toResult(change: BucketChange, run: RunOutcome, ownChange: boolean, joined: boolean): WatchResult {
  const latency = eventToCompliant(change, run.compliantAtMs);
  return {
    index: change.index,
    eventId: change.eventId,
    kind: change.kind,
    operation: change.operation,
    bucket: change.bucket,
    region: change.region,
    ...(change.eventTime ? { eventTime: change.eventTime } : {}),
    ...(change.actor ? { actor: change.actor } : {}),
    ownChange,
    status: run.status,
    // A joined event shares the run another event started; that event reports the change.
    changed: run.changed && !joined,
    coalesced: joined,
    ...(latency === undefined ? {} : { eventToCompliantMs: latency }),
    ...(run.finding ? { ruleId: run.finding.ruleId } : {}),
    reason: run.reason,
    runId: run.runId,
  };
}
