/**
 * bucket-auditor: the timer-triggered Function Compute function. Thin: the wrapper
 * (shared/entry/fc-function.ts) owns the logger, settings, credentials and deadline; this file parses the
 * trigger and runs the audit job (or, for a backfill request, the backfill coordinator).
 * A bad policy or setting makes the invocation fail (nothing is changed), so Function Compute reports it.
 */
import { auditJob } from '../../shared/audit/job.js';
import { type BackfillPayload, backfillRequestOf, fcTargetFromEnv } from '../../shared/backfill/payload.js';
import { fcFunction, type Invocation } from '../../shared/entry/fc-function.js';
import { buildRuntime } from '../../shared/runtime.js';
import { parseTimerEvent } from '../../shared/triggers.js';

export const handler = fcFunction({
  name: 'bucket-auditor',
  failureMessage: 'audit failed',
  async run(event, inv) {
    const backfill = backfillRequestOf(event);
    if (backfill) return backfillMode(backfill, inv);
    const orgMode = await organizationMode(event, inv);
    if (orgMode) return orgMode;
    const { log, settings } = inv;
    const timer = parseTimerEvent(event);
    log.info({ triggerName: timer.triggerName, triggerTime: timer.triggerTime }, 'audit triggered');
    // Built per invocation with the request-scoped logger: a timer run is one invocation.
    const runtime = buildRuntime(settings, inv.credentials, log);
    const { summary } = await auditJob(runtime, {
      settings,
      deadline: inv.deadlineMs,
      runId: inv.context.requestId,
      // The account's member lease too: an organization run at the same report location waits for it.
      ...(inv.context.accountId ? { accountId: inv.context.accountId } : {}),
    });
    log.info({ summary }, 'audit done');
    return summary;
  },
});

/**
 * `{"mode":"backfill",...}` (as the invoke event, or a timer's payload): coordinate a backfill of existing
 * objects instead of the audit. Its code loads only here, so the scheduled audit's cold start is unchanged.
 */
async function backfillMode(request: BackfillPayload, inv: Invocation) {
  const { backfillJob } = await import('../../shared/backfill/job.js');
  const { fcInvoker } = await import('../../shared/backfill/invoker.js');
  const { settings, credentials, context, log } = inv;
  const invoker = fcInvoker({
    credentials,
    accountId: context.accountId,
    region: context.region,
    ...(settings.fcEndpoint ? { endpoint: settings.fcEndpoint } : {}),
    ...fcTargetFromEnv(process.env),
    logger: log,
  });
  const runtime = buildRuntime(settings, credentials, log);
  const summary = await backfillJob(runtime, { settings, request, invoker, runId: context.requestId });
  log.info({ summary }, 'backfill started');
  return summary;
}

/**
 * Organization modes: an `org-worker` invocation (the fan-out), `{"mode":"org-rerun","runId"}` (only the
 * accounts that failed), or a timer run of a policy with `organization` (fanned out when large). Undefined
 * for the single-account audit. Its code loads only here.
 */
async function organizationMode(event: Buffer | string, inv: Invocation) {
  const { settings, credentials, context, log } = inv;
  const fanOut = await import('../../shared/org/fan-out-job.js');
  const { orgJobOf, rerunOf } = fanOut;
  const job = orgJobOf(event);
  const rerun = job ? undefined : rerunOf(event);
  // The single-account timer run pays nothing more: the instance's cached policy says it is not one.
  if (!job && !rerun && !(await inv.policy()).policy.organization) return undefined;
  const modes = await import('../../shared/org/function-modes.js');
  const { fcOrgInvoker, DEFAULT_AUDITOR_FUNCTION } = fanOut;
  const { buildOrgDeps } = await import('../../shared/org/runtime.js');
  const target = fcTargetFromEnv(
    process.env,
    process.env.OSS_SSE_GUARD_AUDITOR_FUNCTION || DEFAULT_AUDITOR_FUNCTION,
  );
  const opts = {
    settings,
    org: buildOrgDeps(settings, credentials, log),
    invoker: fcOrgInvoker({
      credentials,
      accountId: context.accountId,
      region: context.region,
      ...(settings.fcEndpoint ? { endpoint: settings.fcEndpoint } : {}),
      ...target,
    }),
    runId: context.requestId,
    deadline: inv.deadlineMs,
    logger: log,
  };
  const runtime = buildRuntime(settings, credentials, log);
  if (job) return modes.orgWorkerRun(runtime, opts, job);
  if (rerun) return modes.orgRerun(runtime, opts, rerun);
  parseTimerEvent(event); // a malformed trigger fails here, as the single-account path does
  return modes.orgTimerRun(runtime, opts);
}
