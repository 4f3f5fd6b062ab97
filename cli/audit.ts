/**
 * `oss-sse-guard audit`: flags and exit codes of DESIGN.md section 4. Errors are the runner's (cli/run.ts):
 * a usage or policy error exits 2, a run that cannot reach the cloud 3 (`the audit could not run`).
 */

import { z } from 'zod';
import { exitCodeFor } from '../shared/audit/exit-code.js';
import { auditJob } from '../shared/audit/job.js';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import { buildOrgDeps } from '../shared/org/runtime.js';
import { FORMATS, type Format, render } from '../shared/report/render.js';
import { buildRuntime } from '../shared/runtime.js';
import { choices, commaList, parseFlags, regionId, wholeNumber } from './flags.js';
import { cliLogger, progressReporter } from './output.js';
import { type CommandSpec, runCommand } from './run.js';

export interface AuditFlags {
  policy?: string;
  remediate?: boolean;
  format?: string;
  out?: string;
  regions?: string;
  prefix?: string;
  concurrency?: string;
  deadlineSeconds?: string;
  /** Organization run: every member account of the Resource Directory. */
  org?: boolean;
  /** With --org: re-run only the accounts that failed in this run (cli/audit-rerun.ts). */
  rerun?: string;
  /** With --rerun: the workers run in this process instead of Function Compute. */
  local?: boolean;
  accountId?: string;
}

/** The flags that carry values, as one schema (cli/flags.ts names the flag in every error). */
const auditFlagsSchema = z.object({
  format: choices(FORMATS, 'format').default(['table']),
  regions: commaList().pipe(z.array(regionId())).optional(),
  concurrency: wholeNumber(1, 512).optional(),
  deadlineSeconds: wholeNumber(1, 86_400).optional(),
});

/** Validated flags, or a usage error naming the flag. */
export function parseAuditFlags(flags: AuditFlags): {
  formats: Format[];
  regions?: string[];
  concurrency?: number;
  deadlineSeconds?: number;
} {
  const { format, regions, concurrency, deadlineSeconds } = parseFlags(auditFlagsSchema, flags);
  return { formats: format, ...(regions?.length ? { regions } : {}), concurrency, deadlineSeconds };
}

const AUDIT: CommandSpec = { failure: 'the audit could not run', failedCode: EXIT.unchecked };

export function auditCommand(flags: AuditFlags): Promise<number> {
  return runCommand(AUDIT, () => audit(flags));
}

async function audit(flags: AuditFlags): Promise<number> {
  const logger = cliLogger();
  const parsed = parseAuditFlags(flags);
  const settings = settingsFromEnv();
  const credentials = await resolveCredentials();
  if (flags.rerun !== undefined) {
    if (!flags.org) throw new ConfigError('--rerun: re-runs an organization run; add --org');
    const { rerunCommand } = await import('./audit-rerun.js');
    return rerunCommand({
      previousRunId: flags.rerun,
      local: Boolean(flags.local),
      settings: {
        ...settings,
        policyRef: flags.policy ?? settings.policyRef,
        dryRun: !flags.remediate,
        reportLocation: flags.out ?? settings.reportLocation,
      },
      credentials,
      logger,
      format: parsed.formats[0] ?? 'table',
      ...(flags.accountId ? { accountId: flags.accountId } : {}),
      ...(parsed.deadlineSeconds ? { deadline: Date.now() + parsed.deadlineSeconds * 1000 } : {}),
    });
  }
  const runtime = buildRuntime(settings, credentials, logger);
  const { report: final, summary } = await auditJob(runtime, {
    settings: {
      ...settings,
      policyRef: flags.policy ?? settings.policyRef,
      dryRun: !flags.remediate,
      reportLocation: flags.out ?? settings.reportLocation,
    },
    regions: parsed.regions,
    prefix: flags.prefix,
    concurrency: parsed.concurrency,
    deadline: parsed.deadlineSeconds ? Date.now() + parsed.deadlineSeconds * 1000 : undefined,
    formats: parsed.formats,
    onProgress: progressReporter(),
    // This account's member lease as well, so an organization run at the same location waits for it.
    ...(process.env.OSS_SSE_GUARD_ACCOUNT_ID ? { accountId: process.env.OSS_SSE_GUARD_ACCOUNT_ID } : {}),
    ...(flags.org
      ? { organization: buildOrgDeps(settings, credentials, logger), orgWhen: 'always' as const }
      : {}),
  });
  if (summary.leaseHeld) {
    process.stderr.write(`warning: changed nothing: ${summary.leaseHeld}; run again when it is done\n`);
  }
  if (summary.journal) process.stderr.write(`change journal: ${summary.journal}\n`);
  if (summary.reports.length > 0) process.stderr.write(`reports written: ${summary.reports.join(', ')}\n`);
  const [first] = parsed.formats;
  process.stdout.write(render(final, first ?? 'table'));
  return exitCodeFor(final);
}
