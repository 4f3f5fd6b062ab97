/**
 * `oss-sse-guard undo (--report FILE | --journal PATH) [--bucket B] [--apply]`: restores the encryption
 * configuration of buckets a given run changed. Dry run unless --apply. A report must match its SHA-256
 * manifest (`<runId>.sha256` next to it) and, when the run has a change journal, every change it claims
 * must be in the journal. `--journal` undoes from the journal alone (a run that crashed before its
 * report). With --apply, undo takes the same lease as a remediating audit. Exit 0 all restored (or would
 * be); 1 some skipped (changed since, or not recorded); 2 usage (also: report and manifest disagree);
 * 3 some failed, or another run holds the lease.
 */
import { readFile } from 'node:fs/promises';
import {
  journalUndoChanges,
  reportChanges,
  type UndoChange,
  type UndoStep,
  undoChanges,
} from '../shared/audit/undo.js';
import { resolveCredentials } from '../shared/cloud/credentials.js';
import type { OssGateway } from '../shared/cloud/oss.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';
import type { Report } from '../shared/model.js';
import { ossLocation } from '../shared/ram/types.js';
import { parseManifest, sha256Hex } from '../shared/report/manifest.js';
import { reportSchema } from '../shared/report/report-schema.js';
import { buildRuntime } from '../shared/runtime.js';
import { openGuard } from '../shared/safety/guard.js';
import { locationOf, safetyPlace } from '../shared/safety/place.js';
import { cliLogger } from './output.js';
import { type CommandSpec, runCommand } from './run.js';

export interface UndoFlags {
  report?: string;
  journal?: string;
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

async function readText(oss: OssGateway, ref: string): Promise<string | undefined> {
  const loc = ossLocation(ref);
  try {
    return loc ? await oss.getObjectText(loc.bucket, loc.key) : await readFile(ref, 'utf8');
  } catch (err) {
    const e = err as { code?: string };
    if (e.code === 'ENOENT' || e.code === 'NoSuchKey') return undefined;
    throw err;
  }
}

/** The report's bytes must be what its manifest lists (the manifest the run wrote next to it). */
async function verifyAgainstManifest(oss: OssGateway, ref: string, text: string): Promise<void> {
  const manifestRef = ref.replace(/\.json$/, '.sha256');
  const name = ref.split('/').pop() ?? ref;
  const manifest = manifestRef === ref ? undefined : await readText(oss, manifestRef);
  if (manifest === undefined) {
    throw new ConfigError(
      `--report: ${ref} has no manifest ${manifestRef}; refusing to undo from an unverified report`,
    );
  }
  const listed = parseManifest(manifest).entries.get(name);
  if (listed !== sha256Hex(text)) {
    throw new ConfigError(
      `--report: ${ref} does not match its manifest ${manifestRef} (${listed ? 'SHA-256 differs' : `no line for ${name}`}); refusing to undo from an altered report`,
    );
  }
}

function line(s: UndoStep): string {
  return `${s.bucket.padEnd(24)} ${s.region.padEnd(15)} ${s.status.padEnd(14)} ${s.reason}`;
}

const UNDO: CommandSpec = { failure: 'the undo could not run', failedCode: EXIT.unchecked };

export function undoCommand(flags: UndoFlags): Promise<number> {
  return runCommand(UNDO, () => undo(flags));
}

async function undo(flags: UndoFlags): Promise<number> {
  const logger = cliLogger();
  const ref = flags.report ?? flags.journal;
  if (!ref || (flags.report && flags.journal)) {
    throw new ConfigError("--report or --journal: give one (a JSON report, or a run's change journal)");
  }
  const settings = settingsFromEnv();
  const credentials = await resolveCredentials();
  const runtime = buildRuntime(settings, credentials, logger);
  // Organization runs: each member restored with its own assumed-role credentials (cli/undo-org.ts).
  const org = await import('./undo-org.js');
  const apply = Boolean(flags.apply);
  const orgInput = { settings, credentials, runtime, logger, apply, bucket: flags.bucket };
  const orgRun = flags.journal ? await org.orgJournalUndo(flags.journal, orgInput) : undefined;
  if (orgRun !== undefined) return orgRun;
  const location = locationOf(ref);
  const place = safetyPlace(location, runtime.oss);
  let runId: string;
  let changes: UndoChange[];
  if (flags.report) {
    const text = await readText(runtime.oss, ref).catch((err: unknown) => {
      throw new ConfigError(`--report: ${ref} cannot be read (${(err as Error).message})`);
    });
    if (text === undefined) throw new ConfigError(`--report: ${ref} does not exist`);
    await verifyAgainstManifest(runtime.oss, ref, text);
    const report = parseReport(text, ref);
    if (report.organization) return org.orgReportUndo(report, location, orgInput);
    runId = report.runId;
    const journal = await place.readJournal(runId);
    changes = reportChanges(report, { bucket: flags.bucket, journal });
  } else {
    runId = (ref.replace(/\/+$/, '').split('/').pop() ?? '').replace(/\.jsonl$/, '');
    const journal = await place.readJournal(runId);
    if (!journal) throw new ConfigError(`--journal: ${ref} holds no change journal of run ${runId}`);
    const member = await org.memberJournalUndo(location, runId, journal, orgInput);
    if (member !== undefined) return member;
    changes = journalUndoChanges(journal, flags.bucket);
  }
  if (changes.length === 0) {
    process.stdout.write(
      `run ${runId} changed no bucket${flags.bucket ? ` named ${flags.bucket}` : ''}; nothing to undo\n`,
    );
    return 0;
  }
  const opened = flags.apply
    ? await openGuard(location, runtime.oss, {
        runId: `undo-${runId}-${Date.now()}`,
        purpose: 'undo',
        now: () => new Date(),
        logger,
      })
    : undefined;
  if (opened?.heldBy) {
    process.stderr.write(
      `error: stopped before any change: ${opened.heldBy}; run undo again when it is done\n`,
    );
    return EXIT.unchecked;
  }
  let steps: UndoStep[];
  try {
    steps = await undoChanges(runtime.oss, changes, runId, {
      apply: Boolean(flags.apply),
      logger,
      ...(opened ? { guard: opened.guard } : {}),
    });
  } finally {
    await opened?.close(new Date());
  }
  process.stdout.write(`undo of run ${runId}${flags.apply ? '' : ' (dry run: add --apply to change)'}\n`);
  for (const s of steps) process.stdout.write(`${line(s)}\n`);
  if (steps.some((s) => s.status === 'error')) return EXIT.unchecked;
  return steps.some((s) => s.status === 'skipped') ? EXIT.notMet : EXIT.ok;
}
