/**
 * The organization audit fanned out over Function Compute: the coordinator lists the members, writes the
 * run manifest and invokes the auditor itself asynchronously once per group of accounts; each worker
 * audits its accounts (the same `auditMember` as in one process) and writes each account's result to the
 * run's store create-once; the worker that finds every group done takes the aggregate lock and publishes
 * the organization report, once.
 *
 * Exactly once, with the backfill's mechanisms (shared/backfill/store.ts, aggregate.ts): every file that
 * must exist once — an account's result, a group's `done`, a continuation, the lock, `aggregated.json` —
 * is created with `x-oss-forbid-overwrite` (locally: a hard link). A retried worker skips the accounts
 * whose result exists (so nothing is audited or remediated twice) and, holding the lock with the same
 * token (its group), finishes the aggregate it started. The deadline holds per invocation: a worker that
 * has less than `minAccountMs` left hands the rest of its group to a continuation of itself.
 */

import type { RunStore } from '../backfill/store.js';
import type { Report } from '../model.js';
import { RemediationBudget, splitBudget } from './account-policy.js';
import {
  auditMember,
  listMembers,
  type MemberResult,
  type OrgAuditOptions,
  type OrgDeps,
  organizationOf,
  organizationReport,
} from './run.js';
import type { Member, Selection } from './select.js';

/** The event of one worker invocation. */
export interface OrgJob {
  mode: 'org-worker';
  runId: string;
  group: number;
  /** 0 for the first invocation of a group, then one more per continuation. */
  seq: number;
}

export interface OrgInvoker {
  /** Starts `job` asynchronously; resolves once it is accepted. */
  dispatch(job: OrgJob): Promise<void>;
}

export interface OrgManifest {
  runId: string;
  startedAt: string;
  mode: Report['mode'];
  policy: { source: string; sha256: string };
  groups: Member[][];
  /** Remediations each group may make: the organization budget split by group size, adding up to it. */
  budgets: number[];
  skipped: Selection['skipped'];
  /** A re-run: the run whose successful accounts are carried into this report. */
  carriedFrom?: string;
}

export interface FanOutDeps extends OrgDeps {
  /** The store of a run (`<report location>/org/<runId>/`). */
  storeFor(runId: string): RunStore;
  invoker: OrgInvoker;
  /** Publishes the organization report (drift, alerts, report files); called once per run. */
  publish(report: Report): Promise<unknown>;
}

export const orgPaths = {
  manifest: 'manifest.json',
  account: (id: string) => `accounts/${id}.json`,
  accountsDir: 'accounts',
  done: (g: number) => `done/${g}.json`,
  doneDir: 'done',
  next: (g: number, seq: number) => `continue/${g}-${seq}.json`,
  lock: 'aggregate.lock',
  aggregated: 'aggregated.json',
};

async function readJson<T>(store: RunStore, path: string): Promise<T | undefined> {
  const text = await store.read(path);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

/** Groups of `size` accounts, in order. Pure. */
export function groupsOf<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** An account whose result is an account error or holds a finding that could not be checked. Pure. */
export function failedAccount(r: Pick<MemberResult, 'error' | 'findings'>): boolean {
  return r.error !== undefined || r.findings.some((f) => f.status === 'error');
}

/**
 * Starts a fanned-out run: writes the manifest (create-once) and dispatches one worker per group.
 * `rerunOf` re-runs only the accounts that failed in that run and carries the others into the report.
 */
export async function startOrgFanOut(
  deps: FanOutDeps,
  opts: OrgAuditOptions & { runId: string; rerunOf?: string },
): Promise<OrgManifest> {
  const org = organizationOf(opts);
  let selection: Selection;
  if (opts.rerunOf) {
    const prev = deps.storeFor(opts.rerunOf);
    const before = await readJson<OrgManifest>(prev, orgPaths.manifest);
    if (!before) throw new Error(`Run ${opts.rerunOf}: no manifest; nothing to re-run`);
    const members: Member[] = [];
    for (const m of before.groups.flat()) {
      const r = await readJson<MemberResult>(prev, orgPaths.account(m.accountId));
      if (!r || failedAccount(r)) members.push(m);
    }
    selection = { members, skipped: before.skipped };
  } else {
    selection = opts.members
      ? { members: opts.members, skipped: [] }
      : await listMembers(deps.directory, org);
  }
  const groups = groupsOf(selection.members, org.accountsPerWorker);
  const total = opts.budget ?? org.maxRemediations ?? opts.policy.policy.limits.maxRemediationsPerRun;
  const budgets = splitBudget(
    total,
    groups.map((g) => g.length),
  );
  const manifest: OrgManifest = {
    runId: opts.runId,
    startedAt: (deps.clock?.now() ?? new Date()).toISOString(),
    mode: opts.dryRun ? 'dry-run' : 'remediate',
    policy: { source: opts.policy.source, sha256: opts.policy.sha256 },
    groups,
    budgets,
    skipped: selection.skipped,
    ...(opts.rerunOf ? { carriedFrom: opts.rerunOf } : {}),
  };
  const store = deps.storeFor(opts.runId);
  if (!(await store.create(orgPaths.manifest, JSON.stringify(manifest)))) {
    throw new Error(`Run ${opts.runId} already exists`);
  }
  for (let g = 0; g < groups.length; g += 1)
    await deps.invoker.dispatch({ mode: 'org-worker', runId: opts.runId, group: g, seq: 0 });
  if (groups.length === 0) await aggregateOrgRun(deps, store, manifest, 'coordinator');
  return manifest;
}

export type OrgWorkerStatus = 'continued' | 'group-done' | 'aggregated';

/** One worker invocation: audit the group's accounts not yet done, then finish the group. */
export async function runOrgWorker(
  deps: FanOutDeps,
  job: OrgJob,
  opts: Omit<OrgAuditOptions, 'members' | 'runId'> & { minAccountMs?: number },
): Promise<{ status: OrgWorkerStatus; audited: number }> {
  const store = deps.storeFor(job.runId);
  const manifest = await readJson<OrgManifest>(store, orgPaths.manifest);
  if (!manifest) throw new Error(`Run ${job.runId}: no manifest`);
  if (manifest.policy.sha256 !== opts.policy.sha256) {
    throw new Error(`Run ${job.runId}: the policy changed since the run started; refusing to mix policies`);
  }
  // A retried invocation whose continuation was already handed off stops here: the continuation owns the
  // rest of the group, and two invocations of one group at once could each spend the group's budget.
  if ((await store.read(orgPaths.next(job.group, job.seq + 1))) !== undefined) {
    return { status: 'continued', audited: 0 };
  }
  const members = manifest.groups[job.group] ?? [];
  let used = 0;
  const pending: Member[] = [];
  for (const m of members) {
    const r = await readJson<MemberResult>(store, orgPaths.account(m.accountId));
    if (r) used += r.remediated;
    else pending.push(m);
  }
  const budget = new RemediationBudget(Math.max(0, (manifest.budgets[job.group] ?? 0) - used));
  const now = () => (deps.clock?.now() ?? new Date()).getTime();
  let audited = 0;
  for (const m of pending) {
    // At least one account per invocation (progress); then only while an account's time is left.
    if (audited > 0 && opts.deadline !== undefined && opts.deadline - now() < (opts.minAccountMs ?? 30_000)) {
      if (
        await store.create(
          orgPaths.next(job.group, job.seq + 1),
          JSON.stringify({ at: new Date(now()).toISOString() }),
        )
      ) {
        await deps.invoker.dispatch({ ...job, seq: job.seq + 1 });
      }
      return { status: 'continued', audited };
    }
    const result = await auditMember(
      deps,
      m,
      { ...opts, runId: job.runId, dryRun: manifest.mode === 'dry-run' },
      budget,
    );
    await store.create(orgPaths.account(m.accountId), JSON.stringify(result));
    audited += 1;
  }
  await store.create(orgPaths.done(job.group), JSON.stringify({ group: job.group, seq: job.seq }));
  const done = new Set(await store.list(orgPaths.doneDir));
  if (!manifest.groups.every((_, g) => done.has(`${g}.json`))) return { status: 'group-done', audited };
  const status = await aggregateOrgRun(deps, store, manifest, `group-${job.group}`);
  return { status, audited };
}

/** Takes the lock (or finds it held with `token`: a retry) and publishes the report once. */
export async function aggregateOrgRun(
  deps: FanOutDeps,
  store: RunStore,
  manifest: OrgManifest,
  token: string,
): Promise<OrgWorkerStatus> {
  if (!(await store.create(orgPaths.lock, JSON.stringify({ token })))) {
    const held = await readJson<{ token?: string }>(store, orgPaths.lock);
    if (held?.token !== token) return 'group-done';
  }
  if ((await store.read(orgPaths.aggregated)) !== undefined) return 'aggregated';
  const results: MemberResult[] = [];
  const audited = new Set<string>();
  for (const m of manifest.groups.flat()) {
    const r = await readJson<MemberResult>(store, orgPaths.account(m.accountId));
    if (!r) throw new Error(`Run ${manifest.runId}: accounts/${m.accountId}.json is missing`);
    results.push(r);
    audited.add(m.accountId);
  }
  if (manifest.carriedFrom) {
    const prev = deps.storeFor(manifest.carriedFrom);
    for (const name of await prev.list(orgPaths.accountsDir)) {
      const r = await readJson<MemberResult>(prev, `${orgPaths.accountsDir}/${name}`);
      if (r && !audited.has(r.member.accountId)) results.push(r);
    }
  }
  const report = organizationReport(
    { runId: manifest.runId, startedAt: manifest.startedAt, mode: manifest.mode, policy: manifest.policy },
    results,
    manifest.skipped,
    deps.clock?.now() ?? new Date(),
  );
  await deps.publish(report);
  await store.create(
    orgPaths.aggregated,
    JSON.stringify({ runId: manifest.runId, by: token, accounts: results.length }),
  );
  return 'aggregated';
}
