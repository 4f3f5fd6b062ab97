/**
 * The fanned-out organization run as the bucket auditor function runs it: the store under the report
 * location (`<location>/org/<runId>/`, create-once files as the backfill's), the invoker (an async
 * invocation of the auditor itself, through the FC gateway), publishing the aggregate (drift, alerts,
 * report files) exactly as a single-process run does, and the decision to fan out at all.
 */
import { alertsConfigFromEnv } from '../alerts/schema.js';
import { publishRun } from '../audit/publish-run.js';
import { dispatchGateway, type FcInvokerOptions } from '../backfill/invoker.js';
import type { Settings } from '../config.js';
import { ConfigError } from '../errors.js';
import type { LoadedPolicy } from '../policy/load.js';
import { storeFor } from '../report/store.js';
import type { Runtime } from '../runtime.js';
import type { FanOutDeps, OrgInvoker, OrgJob } from './fan-out.js';
import { memberGuards } from './member-guard.js';
import type { OrgDeps } from './run.js';
import { orgRunStore } from './run-store.js';

export { orgRunStore } from './run-store.js';

export const DEFAULT_AUDITOR_FUNCTION = 'oss-sse-guard-bucket-auditor';

/** Where the auditor function is (the backfill invoker's options, minus what a dispatch adds). */
export type AuditorTarget = Pick<
  FcInvokerOptions,
  'credentials' | 'accountId' | 'region' | 'endpoint' | 'apiVersion' | 'functionName' | 'service' | 'gateway'
>;

/**
 * Invokes the auditor function itself, asynchronously, once per job, through the FC gateway it is given
 * (the composition root's); without one it builds a default on first dispatch.
 */
export function fcOrgInvoker(target: AuditorTarget): OrgInvoker {
  const gateway = dispatchGateway(target);
  const fn = {
    functionName: target.functionName,
    ...(target.service ? { service: target.service } : {}),
  };
  return {
    async dispatch(job: OrgJob) {
      await (await gateway()).invokeAsync(fn, JSON.stringify(job));
    },
  };
}

/** Everything a coordinator or worker needs, from the function's runtime and settings. */
export function fanOutDeps(
  runtime: Runtime,
  org: OrgDeps,
  settings: Settings,
  invoker: OrgInvoker,
  loaded: LoadedPolicy,
  env: NodeJS.ProcessEnv = process.env,
): FanOutDeps {
  const location = settings.reportLocation;
  if (!location)
    throw new ConfigError('OSS_SSE_GUARD_REPORT: a fanned-out organization run needs a report location');
  return {
    ...org,
    // Remediating workers change each member's buckets under that member's lease and journal.
    ...(settings.dryRun
      ? {}
      : {
          safety: {
            guards: memberGuards(location, runtime.oss, {
              now: () => (org.clock ?? runtime.clock)?.now() ?? new Date(),
              logger: runtime.logger,
            }),
            runStore: (runId: string) => orgRunStore(location, runId, runtime),
          },
        }),
    invoker,
    storeFor: (runId) => orgRunStore(location, runId, runtime),
    publish: (report) =>
      publishRun(report, {
        store: storeFor(location, runtime.oss),
        formats: ['json', 'html', 'csv', 'md'],
        alerts: { config: loaded.policy.alerts ?? alertsConfigFromEnv(env), env },
        logger: runtime.logger,
      }),
  };
}

/** `{"mode":"org-worker",...}` events; undefined for anything else. */
export function orgJobOf(event: Buffer | string | unknown): OrgJob | undefined {
  try {
    const value = Buffer.isBuffer(event) || typeof event === 'string' ? JSON.parse(String(event)) : event;
    if (value?.mode !== 'org-worker') return undefined;
    const { runId, group, seq } = value as Record<string, unknown>;
    if (typeof runId !== 'string' || !Number.isInteger(group) || !Number.isInteger(seq)) {
      throw new ConfigError('org-worker event: runId (string), group and seq (integers) are required');
    }
    return { mode: 'org-worker', runId, group: group as number, seq: seq as number };
  } catch (err) {
    if (err instanceof ConfigError) throw err;
    return undefined;
  }
}

/** `{"mode":"org-rerun","runId"}` as the event or a timer's payload: the run whose failed accounts to redo. */
export function rerunOf(event: Buffer | string | unknown): string | undefined {
  try {
    const v = Buffer.isBuffer(event) || typeof event === 'string' ? JSON.parse(String(event)) : event;
    const inner = typeof v?.payload === 'string' && v.payload.startsWith('{') ? JSON.parse(v.payload) : v;
    return inner?.mode === 'org-rerun' && typeof inner.runId === 'string' ? inner.runId : undefined;
  } catch {
    return undefined;
  }
}
