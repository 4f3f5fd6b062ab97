/**
 * The bucket auditor's organization modes (thin over fan-out.ts): the timer run that fans out when the
 * policy's organization has more than `fanOutAbove` selected members (else the single-process run), an
 * `org-worker` invocation, and `org-rerun` (only the accounts that failed in a run).
 */
import type { AuditJobOptions } from '../audit/job.js';
import { auditJob } from '../audit/job.js';
import type { Settings } from '../config.js';
import type { Logger } from '../log.js';
import { type LoadedPolicy, loadPolicy } from '../policy/load.js';
import type { Runtime } from '../runtime.js';
import { type OrgInvoker, type OrgJob, runOrgWorker, startOrgFanOut } from './fan-out.js';
import { fanOutDeps } from './fan-out-job.js';
import { listMembers, type OrgDeps } from './run.js';

export interface OrgModeOptions {
  settings: Settings;
  org: OrgDeps;
  invoker: OrgInvoker;
  runId: string;
  deadline: number;
  logger: Logger;
}

function policyOf(runtime: Runtime, settings: Settings): Promise<LoadedPolicy> {
  return loadPolicy(settings.policyRef, (bucket, key, max) => runtime.oss.getObjectBounded(bucket, key, max));
}

/**
 * The timer run of a policy with `organization`: fans out over Function Compute when there are more
 * selected members than `fanOutAbove` and reports go to a location workers share; otherwise one process.
 * Undefined when the policy has no organization (the caller runs the single-account audit).
 */
export async function orgTimerRun(
  runtime: Runtime,
  opts: OrgModeOptions,
  job: Omit<AuditJobOptions, 'settings'> = {},
) {
  const loaded = await policyOf(runtime, opts.settings);
  const org = loaded.policy.organization;
  if (!org) return undefined;
  const selection = await listMembers(opts.org.directory, org);
  if (selection.members.length <= org.fanOutAbove || !opts.settings.reportLocation) {
    const { summary } = await auditJob(runtime, {
      ...job,
      settings: opts.settings,
      deadline: opts.deadline,
      runId: opts.runId,
      // Lists the directory once more: a small organization, a cheap call.
      organization: opts.org,
    });
    return { run: 'organization', ...summary };
  }
  const deps = fanOutDeps(runtime, opts.org, opts.settings, opts.invoker, loaded);
  const manifest = await startOrgFanOut(deps, {
    policy: loaded,
    dryRun: opts.settings.dryRun,
    runId: opts.runId,
    members: selection.members,
  });
  opts.logger.info({ runId: opts.runId, groups: manifest.groups.length }, 'organization run fanned out');
  return {
    run: 'organization-fan-out',
    runId: opts.runId,
    groups: manifest.groups.length,
    accounts: selection.members.length,
  };
}

/** One `org-worker` invocation. */
export async function orgWorkerRun(runtime: Runtime, opts: OrgModeOptions, job: OrgJob) {
  const loaded = await policyOf(runtime, opts.settings);
  const deps = fanOutDeps(runtime, opts.org, opts.settings, opts.invoker, loaded);
  return runOrgWorker(deps, job, { policy: loaded, dryRun: opts.settings.dryRun, deadline: opts.deadline });
}

/** `{"mode":"org-rerun","runId":...}`: a new fanned-out run of only the accounts that failed in `runId`. */
export async function orgRerun(runtime: Runtime, opts: OrgModeOptions, previousRunId: string) {
  const loaded = await policyOf(runtime, opts.settings);
  const deps = fanOutDeps(runtime, opts.org, opts.settings, opts.invoker, loaded);
  const manifest = await startOrgFanOut(deps, {
    policy: loaded,
    dryRun: opts.settings.dryRun,
    runId: opts.runId,
    rerunOf: previousRunId,
  });
  return {
    run: 'organization-rerun',
    runId: opts.runId,
    rerunOf: previousRunId,
    accounts: manifest.groups.flat().length,
  };
}
