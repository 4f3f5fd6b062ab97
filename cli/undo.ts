/**
 * `oss-sse-guard undo --report FILE [--bucket B] [--apply]`: restores the encryption configuration of
 * buckets a given run changed. Dry run unless --apply. Exit 0 all restored (or would be); 1 some skipped
 * (changed since); 2 usage; 3 some failed.
 */
import { readFile } from 'node:fs/promises';
import { type UndoStep, undoRun } from '../shared/audit/undo.js';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import type { Report } from '../shared/model.js';
import { ossLocation } from '../shared/ram/types.js';
import { reportSchema } from '../shared/report/report-schema.js';
import { buildRuntime } from '../shared/runtime.js';
import { cliLogger } from './output.js';

export interface UndoFlags {
  report?: string;
  bucket?: string;
  apply?: boolean;
}

function parseReport(text: string, source: string): Report {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ConfigError(`--report: ${source} is not JSON; expected a JSON report written by audit`);
  }
  const parsed = reportSchema.safeParse(data);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ConfigError(
      `--report: ${source} is not an oss-sse-guard report (schemaVersion 1): ${issue?.path.join('.') || '(top level)'}: ${issue?.message}`,
    );
  }
  return parsed.data as Report;
}

function line(s: UndoStep): string {
  return `${s.bucket.padEnd(24)} ${s.region.padEnd(15)} ${s.status.padEnd(14)} ${s.reason}`;
}

export async function undoCommand(flags: UndoFlags): Promise<number> {
  const logger = cliLogger();
  try {
    if (!flags.report) throw new ConfigError('--report: required (a JSON report file or oss://bucket/key)');
    const settings = settingsFromEnv();
    const runtime = buildRuntime(settings, await resolveCredentials(), logger);
    const loc = ossLocation(flags.report);
    let text: string;
    try {
      text = loc
        ? await runtime.oss.getObjectText(loc.bucket, loc.key)
        : await readFile(flags.report, 'utf8');
    } catch (err) {
      throw new ConfigError(`--report: ${flags.report} cannot be read (${(err as Error).message})`);
    }
    const report = parseReport(text, flags.report);
    const steps = await undoRun(runtime.oss, report, {
      apply: Boolean(flags.apply),
      bucket: flags.bucket,
      logger,
    });
    if (steps.length === 0) {
      process.stdout.write(
        `run ${report.runId} changed no bucket${flags.bucket ? ` named ${flags.bucket}` : ''}; nothing to undo\n`,
      );
      return 0;
    }
    process.stdout.write(
      `undo of run ${report.runId}${flags.apply ? '' : ' (dry run: add --apply to change)'}\n`,
    );
    for (const s of steps) process.stdout.write(`${line(s)}\n`);
    if (steps.some((s) => s.status === 'error')) return 3;
    return steps.some((s) => s.status === 'skipped') ? 1 : 0;
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`error: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
}
