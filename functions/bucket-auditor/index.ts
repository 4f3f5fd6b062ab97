/**
 * bucket-auditor: the timer-triggered Function Compute function. Thin: parse the trigger, build the
 * dependencies from the context's STS credentials, run the audit job, return its summary.
 * A bad policy or setting makes the invocation fail (nothing is changed), so Function Compute reports it.
 */
import { auditJob } from '../../shared/audit/job.js';
import { type BackfillPayload, backfillRequestOf, fcTargetFromEnv } from '../../shared/backfill/payload.js';
import { credentialsFromContext } from '../../shared/cloud/credentials.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';
import { settingsFromEnv } from '../../shared/config.js';
import { createLogger, type Logger } from '../../shared/log.js';
import { buildOrgDeps } from '../../shared/org/runtime.js';
import { buildRuntime } from '../../shared/runtime.js';
import { parseTimerEvent } from '../../shared/triggers.js';

let baseLogger: Logger | undefined;

export async function handler(event: Buffer | string, context: FcContext) {
  baseLogger ??= createLogger({ base: { fn: 'bucket-auditor' } });
  const log = baseLogger.child({ requestId: context.requestId });
  const backfill = backfillRequestOf(event);
  if (backfill) return backfillMode(backfill, context, log);
  const orgMode = await organizationMode(event, context, log);
  if (orgMode) return orgMode;
  const timer = parseTimerEvent(event);
  log.info({ triggerName: timer.triggerName, triggerTime: timer.triggerTime }, 'audit triggered');
  const settings = settingsFromEnv();
  const credentials = credentialsFromContext(context);
  const runtime = buildRuntime(settings, credentials, log);
  const deadline = context.deadlineMs ?? Date.now() + context.function.timeout * 1000;
  try {
    const { summary } = await auditJob(runtime, {
      settings,
      deadline,
      runId: context.requestId,
      // An organization run when the policy has an `organization` section.
      organization: buildOrgDeps(settings, credentials, log),
      orgWhen: 'if-policy',
    });
    log.info({ summary }, 'audit done');
    return summary;
  } catch (err) {
    log.error({ err: (err as Error).message }, 'audit failed');
    throw err;
  }
}

/**
 * `{"mode":"backfill",...}` (as the invoke event, or a timer's payload): coordinate a backfill of existing
 * objects instead of the audit. Its code loads only here, so the scheduled audit's cold start is unchanged.
 */
async function backfillMode(request: BackfillPayload, context: FcContext, log: Logger) {
  const { backfillJob } = await import('../../shared/backfill/job.js');
  const { fcInvoker } = await import('../../shared/backfill/invoker.js');
  const settings = settingsFromEnv();
  const credentials = credentialsFromContext(context);
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
 * for the single-account audit.
 */
async function organizationMode(event: Buffer | string, context: FcContext, log: Logger) {
  const modes = await import('../../shared/org/function-modes.js');
  const { fcOrgInvoker, orgJobOf, DEFAULT_AUDITOR_FUNCTION } = await import(
    '../../shared/org/fan-out-job.js'
  );
  const settings = settingsFromEnv();
  const credentials = credentialsFromContext(context);
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
    deadline: context.deadlineMs ?? Date.now() + context.function.timeout * 1000,
    logger: log,
  };
  const runtime = buildRuntime(settings, credentials, log);
  const job = orgJobOf(event);
  if (job) return modes.orgWorkerRun(runtime, opts, job);
  const rerun = rerunOf(event);
  if (rerun) return modes.orgRerun(runtime, opts, rerun);
  parseTimerEvent(event); // a malformed trigger fails here, as the single-account path does
  return modes.orgTimerRun(runtime, opts);
}

function rerunOf(event: Buffer | string): string | undefined {
  try {
    const v = JSON.parse(String(event));
    const inner = typeof v?.payload === 'string' && v.payload.startsWith('{') ? JSON.parse(v.payload) : v;
    return inner?.mode === 'org-rerun' && typeof inner.runId === 'string' ? inner.runId : undefined;
  } catch {
    return undefined;
  }
}
