/**
 * The organization audit in one process: list the Resource Directory's members (every page, active only,
 * the policy's selection), assume the auditor role in each (bounded concurrency across accounts), and
 * audit each with the same `runAudit` as a single account. Findings carry the account; an account whose
 * role is missing or refuses us is one `error` finding with the reason, never "no buckets"; the
 * remediation cap holds per account (limits.maxRemediationsPerRun) and across the organization
 * (organization.maxRemediations).
 */
import { randomUUID } from 'node:crypto';
import type { Logger } from 'pino';
import type { AuditDeps, Clock } from '../audit/deps.js';
import { systemClock } from '../audit/deps.js';
import { findingError } from '../audit/finding-error.js';
import { type AuditOptions, runAudit } from '../audit/run.js';
import type { RunStore } from '../backfill/store.js';
import type { Credentials } from '../cloud/credentials.js';
import type { DirectoryReader } from '../cloud/resource-manager.js';
import type { RoleAssumer } from '../cloud/sts.js';
import { ConfigError } from '../errors.js';
import type { AccountSummary, Finding, FindingError, Report } from '../model.js';
import { summarize } from '../model.js';
import type { OrganizationPolicy } from '../policy/schema.js';
import { mapBounded } from '../pool.js';
import type { OpenedGuard } from '../safety/guard.js';
import { type JournalEntry, journalChanges } from '../safety/journal.js';
import { TOOL } from '../tool.js';
import { policyForAccount, RemediationBudget } from './account-policy.js';
import type { MemberGuards } from './member-guard.js';
import { type Member, type Selection, selectMembers } from './select.js';
import { AccountSession, sessionName } from './session.js';
import { accountSummaries } from './summary.js';

export interface OrgDeps {
  directory: DirectoryReader;
  sts: RoleAssumer;
  /** The audit's gateways for one member's credentials. */
  depsFor(credentials: Credentials): AuditDeps;
  logger: Logger;
  clock?: Clock;
  /**
   * A remediating run with a report location: each member's lease and change journal (member-guard.ts),
   * and the run's store where the journal index goes. Without it members change nothing unguarded only
   * because the caller opened no guard for single accounts either (no report location).
   */
  safety?: { guards: MemberGuards; runStore(runId: string): RunStore };
}

export interface OrgAuditOptions extends Omit<AuditOptions, 'buckets'> {
  /** Audit exactly these members (a fan-out worker, or a re-run of the failed accounts). */
  members?: Member[];
  /** Remediations this process may still make across the organization (default: the policy's). */
  budget?: number;
}

/** The organization section of a loaded policy, or a ConfigError when it has none. */
export function organizationOf(opts: Pick<AuditOptions, 'policy'>): OrganizationPolicy {
  const org = opts.policy.policy.organization;
  if (!org) throw new ConfigError('audit --org: the policy has no "organization" section');
  return org;
}

export function memberRoleArn(accountId: string, role: string): string {
  return `acs:ram::${accountId}:role/${role.toLowerCase()}`;
}

/** Lists the directory (every page) and picks the members the policy selects. */
export async function listMembers(directory: DirectoryReader, org: OrganizationPolicy): Promise<Selection> {
  const accounts = await directory.listAccounts();
  const folderNames = new Map<string, string>();
  if (org.folders) {
    const queue: (string | undefined)[] = [undefined];
    while (queue.length > 0) {
      for (const f of await directory.listFolders(queue.shift())) {
        folderNames.set(f.folderId, f.folderName);
        queue.push(f.folderId);
      }
    }
  }
  return selectMembers(accounts, org, folderNames);
}

/** The one finding of an account that could not be audited. */
export function accountErrorFinding(member: Member, error: FindingError, what: string): Finding {
  return {
    bucket: '*',
    region: '*',
    status: 'error',
    observed: null,
    required: null,
    ruleId: 'organization',
    reason: `account not audited: ${what}: ${error.message}`,
    error,
    accountId: member.accountId,
    accountName: member.accountName,
  };
}

export interface MemberResult {
  member: Member;
  findings: Finding[];
  /** Set when the account could not be audited at all. */
  error?: FindingError;
  unchecked: number;
  /** Changes made in the account by this run (an earlier attempt's journaled changes included). */
  remediated: number;
  /** The member's change journal of this run (remediating runs with a report location). */
  journal?: string;
  /** Set when another run held the member's lease: nothing of the account was changed. */
  leaseHeld?: string;
}

/** The result of a member that could not be audited (or changed): one error finding, nothing remediated. */
function failedMember(member: Member, error: FindingError, what: string, unchecked = 0): MemberResult {
  return { member, findings: [accountErrorFinding(member, error, what)], error, unchecked, remediated: 0 };
}

/** Audits one member: assume its role, run the same audit as a single account, tag the findings. */
export async function auditMember(
  deps: OrgDeps,
  member: Member,
  opts: OrgAuditOptions & { runId: string },
  budget: RemediationBudget,
): Promise<MemberResult> {
  const org = organizationOf(opts);
  const log = deps.logger.child({ accountId: member.accountId });
  const clock = deps.clock ?? systemClock;
  if (opts.deadline !== undefined && clock.now().getTime() >= opts.deadline - (opts.reserveMs ?? 3000)) {
    const error = { code: 'DeadlineReached', message: 'the run reached its deadline before this account' };
    return failedMember(member, error, 'not started', 1);
  }
  const session = new AccountSession({
    sts: deps.sts,
    roleArn: memberRoleArn(member.accountId, org.role),
    sessionName: sessionName(opts.runId),
    depsFor: deps.depsFor,
    clock,
  });
  try {
    await session.deps();
  } catch (err) {
    const error = findingError(err);
    log.warn({ code: error.code }, 'member role could not be assumed');
    return failedMember(member, error, `role ${org.role}`);
  }
  const roleArn = memberRoleArn(member.accountId, org.role);
  let opened: OpenedGuard | undefined;
  if (!opts.dryRun && deps.safety) {
    try {
      opened = await deps.safety.guards.open({
        runId: opts.runId,
        member,
        roleArn,
        runStore: deps.safety.runStore(opts.runId),
        ...(opts.deadline !== undefined ? { deadline: opts.deadline } : {}),
      });
    } catch (err) {
      const error = findingError(err);
      log.warn({ code: error.code }, 'member change journal could not be opened; nothing changed');
      return failedMember(member, error, 'change journal');
    }
  }
  // A retried invocation counts the changes its earlier attempt journaled against the account's cap.
  // Those changes are spent from the organization's budget too (taken, never given back).
  const already = journaledChanges(opened?.prior);
  budget.reserve(already);
  const granted = budget.reserve(Math.max(0, opts.policy.policy.limits.maxRemediationsPerRun - already));
  let report: Report;
  try {
    report = await runAudit(session.auditDeps({ logger: log, clock }), {
      ...opts,
      policy: policyForAccount(opts.policy, member, granted),
      ...(opened ? { guard: opened.guard } : {}),
    });
  } catch (err) {
    budget.release(granted);
    const error = findingError(err);
    log.warn({ code: error.code }, 'member buckets could not be listed');
    return failedMember(member, error, 'listing buckets');
  } finally {
    await opened?.close(clock.now());
  }
  const remediated = report.summary.byStatus.remediated;
  budget.release(granted - remediated);
  return {
    member,
    findings: report.findings.map((f) => ({
      ...f,
      accountId: member.accountId,
      accountName: member.accountName,
    })),
    unchecked: report.incomplete?.unchecked ?? 0,
    remediated: remediated + already,
    ...(opened?.journal ? { journal: opened.journal.location } : {}),
    ...(opened?.heldBy ? { leaseHeld: opened.heldBy } : {}),
  };
}

/** Changes a journal records as made or possibly made (the cap counts them; `not-applied` is not one). */
export function journaledChanges(entries: readonly JournalEntry[] | undefined): number {
  if (!entries) return 0;
  return journalChanges(entries.filter((e) => e.kind !== 'start' && e.kind !== 'end')).filter(
    (c) => c.outcome !== 'not-applied',
  ).length;
}

/** Builds the organization report from per-member results (also the fan-out aggregator's last step). */
export function organizationReport(
  base: Pick<Report, 'runId' | 'startedAt' | 'mode' | 'policy'>,
  results: readonly Pick<MemberResult, 'member' | 'findings' | 'error' | 'unchecked'>[],
  skipped: Selection['skipped'],
  finishedAt: Date,
): Report {
  const findings = results.flatMap((r) => r.findings);
  const errors = new Map<string, AccountSummary['error']>();
  for (const r of results) if (r.error) errors.set(r.member.accountId, r.error);
  const unchecked = results.reduce((n, r) => n + r.unchecked, 0);
  return {
    schemaVersion: 1,
    ...base,
    finishedAt: finishedAt.toISOString(),
    tool: TOOL,
    summary: summarize(findings),
    findings,
    ...(unchecked > 0 ? { incomplete: { reason: 'deadline reached', unchecked } } : {}),
    organization: { accounts: accountSummaries(findings, errors), skipped },
  };
}

/** Runs the whole organization audit in this process and returns one report. */
export async function runOrgAudit(deps: OrgDeps, opts: OrgAuditOptions): Promise<Report> {
  const org = organizationOf(opts);
  const clock = deps.clock ?? systemClock;
  const startedAt = clock.now();
  const runId = opts.runId ?? randomUUID();
  const selection = opts.members
    ? { members: opts.members, skipped: [] }
    : await listMembers(deps.directory, org);
  const budget = new RemediationBudget(
    opts.budget ?? org.maxRemediations ?? opts.policy.policy.limits.maxRemediationsPerRun,
  );
  deps.logger.info(
    { runId, members: selection.members.length, skipped: selection.skipped.length },
    'organization audit',
  );
  const results = await mapBounded(selection.members, org.concurrency, (m) =>
    auditMember(deps, m, { ...opts, runId }, budget),
  );
  return organizationReport(
    {
      runId,
      startedAt: startedAt.toISOString(),
      mode: opts.dryRun ? 'dry-run' : 'remediate',
      policy: { source: opts.policy.source, sha256: opts.policy.sha256 },
    },
    results,
    selection.skipped,
    clock.now(),
  );
}
