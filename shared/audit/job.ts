/**
 * The audit job as the timer function runs it: policy from settings, audit, publish (drift, alerts,
 * reports, manifest), a small summary.
 */
import { randomUUID } from 'node:crypto';
import { alertsConfigFromEnv } from '../alerts/schema.js';
import type { Settings } from '../config.js';
import type { Report } from '../model.js';
import type { OrgDeps } from '../org/run.js';
import { loadPolicy } from '../policy/load.js';
import type { Format } from '../report/render.js';
import type { Runtime } from '../runtime.js';
import { DEFAULT_LEASE_TTL_MS, openGuard } from '../safety/guard.js';
import { systemClock } from './deps.js';
import { runAudit } from './run.js';

export interface AuditJobOptions {
  /** Policy reference, dry run and report location come from here (the CLI overrides them from flags). */
  settings: Settings;
  /** Where alert sinks read their URLs and secrets (default: the process environment). */
  env?: NodeJS.ProcessEnv;
  /** Epoch ms by which the invocation must return. */
  deadline?: number;
  runId?: string;
  regions?: string[];
  prefix?: string;
  concurrency?: number;
  /** Formats written to the report location (JSON always). */
  formats?: readonly Format[];
  onProgress?: (checked: number, total: number) => void;
  /**
   * Organization run (`audit --org`; the timer function when the policy has `organization`): the
   * directory, STS and per-member gateways. `orgWhen: 'if-policy'` runs it only when the policy asks.
   */
  organization?: OrgDeps;
  orgWhen?: 'always' | 'if-policy';
  /**
   * The account this single-account run audits (the function's context; the CLI's
   * OSS_SSE_GUARD_ACCOUNT_ID): a remediating run then also takes that account's member lease at the
   * report location, so it never changes buckets while an organization run changes the same account.
   */
  accountId?: string;
}

export interface AuditSummary {
  runId: string;
  mode: Report['mode'];
  total: number;
  byStatus: Report['summary']['byStatus'];
  incomplete?: Report['incomplete'];
  drift?: { becameNoncompliant: number; fixed: number; appeared: number; disappeared: number };
  alerts?: { sent: number; failed: number };
  reports: string[];
  /** Set when another remediating run held the lease: this run changed nothing, and this says why. */
  leaseHeld?: string;
  /** Where this run's change journal is (remediating runs with a report location). */
  journal?: string;
}

/** A remediating run's lease: its deadline plus a minute, else 15 minutes. */
function leaseTtl(deadline: number | undefined, clock: { now(): Date }): number {
  return deadline === undefined
    ? DEFAULT_LEASE_TTL_MS
    : Math.max(60_000, deadline - clock.now().getTime() + 60_000);
}

/** Member guards of an organization run at the report location (loaded with the organization code). */
async function orgSafety(
  runtime: Runtime,
  location: string | undefined,
  refuse: string | undefined,
  clock: { now(): Date },
): Promise<OrgDeps['safety']> {
  if (!location) return undefined;
  const [{ memberGuards }, { orgRunStore }] = await Promise.all([
    import('../org/member-guard.js'),
    import('../org/run-store.js'),
  ]);
  return {
    guards: memberGuards(location, runtime.oss, {
      now: () => clock.now(),
      logger: runtime.logger,
      ...(refuse ? { refuse } : {}),
    }),
    runStore: (id) => orgRunStore(location, id, runtime),
  };
}

/**
 * Loads the policy (refusing to act on a bad one), audits, publishes the reports, returns a summary. The
 * one entry point of the timer function, `oss-sse-guard audit` and the demo.
 */
export async function auditJob(
  runtime: Runtime,
  opts: AuditJobOptions,
): Promise<{ report: Report; summary: AuditSummary }> {
  const { settings } = opts;
  const env = opts.env ?? process.env;
  const loaded = await loadPolicy(settings.policyRef, (bucket, key, max) =>
    runtime.oss.getObjectBounded(bucket, key, max),
  );
  const runId = opts.runId ?? randomUUID();
  const clock = runtime.clock ?? systemClock;
  // A remediating run with a report location keeps a lease and a change journal there, opened before
  // anything is read or changed: an unwritable location stops the run here, with nothing changed.
  const opened =
    !settings.dryRun && settings.reportLocation
      ? await openGuard(settings.reportLocation, runtime.oss, {
          runId,
          purpose: 'audit',
          now: () => clock.now(),
          ttlMs: leaseTtl(opts.deadline, clock),
          logger: runtime.logger,
        })
      : undefined;
  let report: Report;
  let reports: string[] = [];
  let orgJournal: string | undefined;
  let accountLeaseHeld: string | undefined;
  let releaseAccount: ((now: Date) => Promise<void>) | undefined;
  try {
    const auditOptions = {
      policy: loaded,
      dryRun: settings.dryRun,
      deadline: opts.deadline,
      runId,
      regions: opts.regions,
      prefix: opts.prefix,
      concurrency: opts.concurrency,
      onProgress: opts.onProgress,
    };
    const org = opts.organization;
    const asOrg = org && (opts.orgWhen !== 'if-policy' || loaded.policy.organization !== undefined);
    // Organization runs: each member through the same runAudit (shared/org/run.ts), under its own lease
    // and change journal (shared/org/member-guard.ts); the management lease taken above serialises whole
    // runs at this location, and when another run holds it no member is changed.
    let audited: Report;
    if (asOrg) {
      const safety = opened
        ? await orgSafety(runtime, settings.reportLocation, opened.heldBy, clock)
        : undefined;
      if (safety) orgJournal = safety.runStore(runId).location;
      audited = await (await import('../org/run.js')).runOrgAudit(
        safety ? { ...org, safety } : org,
        auditOptions,
      );
    } else {
      let guard = opened?.guard;
      if (opened && !opened.heldBy && /^[0-9]{1,32}$/.test(opts.accountId ?? '') && settings.reportLocation) {
        const { withAccountLease } = await import('../org/member-guard.js');
        const own = await withAccountLease(opened, settings.reportLocation, runtime.oss, {
          accountId: opts.accountId as string,
          runId,
          now: () => clock.now(),
          ttlMs: leaseTtl(opts.deadline, clock),
          logger: runtime.logger,
        });
        guard = own.guard;
        accountLeaseHeld = own.heldBy;
        releaseAccount = own.release;
      }
      audited = await runAudit(runtime, { ...auditOptions, ...(guard ? { guard } : {}) });
    }
    report = audited;
    if (settings.reportLocation) {
      // Loaded after the audit, not at cold start: rendering, drift and alerting are only needed here.
      const [{ publishRun }, { storeFor }] = await Promise.all([
        import('./publish-run.js'),
        import('../report/store.js'),
      ]);
      const published = await publishRun(audited, {
        store: storeFor(settings.reportLocation, runtime.oss, { deadline: opts.deadline }),
        formats: opts.formats ?? ['json', 'html', 'csv', 'md'],
        alerts: { config: loaded.policy.alerts ?? alertsConfigFromEnv(env), env },
        logger: runtime.logger,
      });
      report = published.report;
      reports = published.written;
    }
  } finally {
    await releaseAccount?.(clock.now());
    await opened?.close(clock.now());
  }
  const d = report.drift;
  return {
    report,
    summary: {
      runId: report.runId,
      mode: report.mode,
      total: report.summary.total,
      byStatus: report.summary.byStatus,
      ...(report.incomplete ? { incomplete: report.incomplete } : {}),
      ...(d
        ? {
            drift: {
              becameNoncompliant: d.becameNoncompliant.length,
              fixed: d.fixed.length,
              appeared: d.appeared.length,
              disappeared: d.disappeared.length,
            },
          }
        : {}),
      ...(report.alerts
        ? {
            alerts: {
              sent: report.alerts.filter((a) => a.ok).length,
              failed: report.alerts.filter((a) => !a.ok).length,
            },
          }
        : {}),
      reports,
      ...(opened?.heldBy || accountLeaseHeld ? { leaseHeld: opened?.heldBy ?? accountLeaseHeld } : {}),
      ...(orgJournal || opened?.journal ? { journal: orgJournal ?? opened?.journal?.location } : {}),
    },
  };
}
