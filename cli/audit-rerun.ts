/**
 * `oss-sse-guard audit --org --rerun <runId> [--local]`: a new organization run of only the accounts that
 * failed in run `runId` (the others carried into its report), through the same code as the function event
 * `{"mode":"org-rerun","runId"}` (shared/org/function-modes.ts). Without `--local` the workers are the
 * auditor function, invoked asynchronously over Function Compute, and the run's id is printed; with
 * `--local` they run one after another in this process and the report is printed as `audit` prints it.
 */
import { randomUUID } from 'node:crypto';
import { exitCodeFor } from '../shared/audit/exit-code.js';
import { fcTargetFromEnv } from '../shared/backfill/payload.js';
import { RUN_ID } from '../shared/backfill/types.js';
import type { Credentials } from '../shared/cloud/credentials.js';
import type { Settings } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import type { OrgInvoker, OrgJob } from '../shared/org/fan-out.js';
import { DEFAULT_AUDITOR_FUNCTION, fcOrgInvoker } from '../shared/org/fan-out-job.js';
import { orgRerun, orgWorkerRun } from '../shared/org/function-modes.js';
import { buildOrgDeps } from '../shared/org/runtime.js';
import { ossLocation } from '../shared/ram/types.js';
import { type Format, render } from '../shared/report/render.js';
import { storeFor } from '../shared/report/store.js';
import { buildRuntime } from '../shared/runtime.js';
import type { cliLogger } from './output.js';

export interface RerunInput {
  previousRunId: string;
  local: boolean;
  settings: Settings;
  credentials: Credentials;
  logger: ReturnType<typeof cliLogger>;
  format: Format;
  accountId?: string;
  deadline?: number;
}

export async function rerunCommand(input: RerunInput): Promise<number> {
  const { settings, credentials, logger } = input;
  if (!RUN_ID.test(input.previousRunId)) {
    throw new ConfigError(`--rerun: "${input.previousRunId}" is not a run id`);
  }
  const location = settings.reportLocation;
  if (!location) throw new ConfigError('--rerun: give --out (the report location of the run to re-run)');
  if (!input.local && !ossLocation(location)) {
    throw new ConfigError(
      '--out: Function Compute workers need an oss://bucket/prefix location; use --local for a folder',
    );
  }
  const runtime = buildRuntime(settings, credentials, logger);
  const queue: OrgJob[] = [];
  let invoker: OrgInvoker = {
    dispatch: async (job) => {
      queue.push(job);
    },
  };
  if (!input.local) {
    const accountId = input.accountId ?? process.env.OSS_SSE_GUARD_ACCOUNT_ID;
    if (!accountId || !/^\d{1,32}$/.test(accountId)) {
      throw new ConfigError(
        '--account-id: the numeric account id that owns the auditor function is required',
      );
    }
    invoker = fcOrgInvoker({
      credentials,
      accountId,
      region: process.env.OSS_SSE_GUARD_FC_REGION?.trim() || settings.homeRegion,
      ...(settings.fcEndpoint ? { endpoint: settings.fcEndpoint } : {}),
      ...fcTargetFromEnv(process.env, process.env.OSS_SSE_GUARD_AUDITOR_FUNCTION || DEFAULT_AUDITOR_FUNCTION),
    });
  }
  const opts = {
    settings,
    org: buildOrgDeps(settings, credentials, logger),
    invoker,
    runId: randomUUID(),
    deadline: input.deadline ?? Number.POSITIVE_INFINITY,
    logger,
  };
  const started = await orgRerun(runtime, opts, input.previousRunId);
  if (!input.local) {
    process.stdout.write(`${JSON.stringify(started, null, 2)}\n`);
    return EXIT.ok;
  }
  // In this process: each worker job in turn (a continuation is queued like any other job).
  for (let job = queue.shift(); job; job = queue.shift()) await orgWorkerRun(runtime, opts, job);
  const report = await storeFor(location, runtime.oss).readLatest();
  if (report?.runId !== started.runId) {
    process.stderr.write(`error: re-run ${started.runId} published no report at ${location}\n`);
    return EXIT.unchecked;
  }
  process.stderr.write(
    `re-run ${started.runId} of run ${input.previousRunId}: ${started.accounts} account(s) audited again\n`,
  );
  process.stdout.write(render(report, input.format));
  return exitCodeFor(report);
}
