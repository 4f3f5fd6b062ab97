/** `oss-sse-guard audit`: flags and exit codes of DESIGN.md section 4. */

import { EXIT, exitCodeFor } from '../shared/audit/exit-code.js';
import { auditJob } from '../shared/audit/job.js';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError, PolicyError } from '../shared/errors.js';
import { buildOrgDeps } from '../shared/org/runtime.js';
import { FORMATS, type Format, render } from '../shared/report/render.js';
import { buildRuntime } from '../shared/runtime.js';
import { cliLogger, progressReporter } from './output.js';

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

/** Validated flags, or a usage error naming the flag. */
export function parseAuditFlags(flags: AuditFlags): {
  formats: Format[];
  regions?: string[];
  concurrency?: number;
  deadlineSeconds?: number;
} {
  const formats = (flags.format ?? 'table')
    .split(',')
    .map((f) => f.trim())
    .filter(Boolean);
  for (const f of formats) {
    if (!(FORMATS as readonly string[]).includes(f)) {
      throw new ConfigError(`--format: "${f}" is not one of ${FORMATS.join(', ')}`);
    }
  }
  if (formats.length === 0) throw new ConfigError('--format: give at least one format');
  const regions = flags.regions
    ?.split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  for (const r of regions ?? []) {
    if (!/^[a-z0-9-]+$/.test(r))
      throw new ConfigError(`--regions: "${r}" is not a region id such as cn-hangzhou`);
  }
  const int = (name: string, v: string | undefined, min: number, max: number) => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!Number.isInteger(n) || n < min || n > max) {
      throw new ConfigError(`${name}: "${v}" must be a whole number from ${min} to ${max}`);
    }
    return n;
  };
  return {
    formats: formats as Format[],
    ...(regions?.length ? { regions } : {}),
    concurrency: int('--concurrency', flags.concurrency, 1, 512),
    deadlineSeconds: int('--deadline-seconds', flags.deadlineSeconds, 1, 86_400),
  };
}

export async function auditCommand(flags: AuditFlags): Promise<number> {
  const logger = cliLogger();
  let parsed: ReturnType<typeof parseAuditFlags>;
  let settings: ReturnType<typeof settingsFromEnv>;
  try {
    parsed = parseAuditFlags(flags);
    settings = settingsFromEnv();
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.usage;
    }
    throw err;
  }
  try {
    const credentials = await resolveCredentials();
    if (flags.rerun !== undefined) {
      if (!flags.org) throw new ConfigError('--rerun: re-runs an organization run; add --org');
      const { rerunCommand } = await import('./audit-rerun.js');
      return await rerunCommand({
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
  } catch (err) {
    if (err instanceof PolicyError) {
      for (const p of err.problems) process.stderr.write(`Policy ${err.source} is invalid: ${p}\n`);
      return EXIT.usage;
    }
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      return EXIT.usage;
    }
    process.stderr.write(`error: the audit could not run: ${(err as Error).message}\n`);
    return EXIT.unchecked;
  }
}
