/**
 * Helpers of the safety suites: a remediating audit job run in-process against a world's emulators, and
 * what its journal says.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AuditJobOptions, auditJob } from '../../shared/audit/job.js';
import { settingsFromEnv } from '../../shared/config.js';
import type { Runtime } from '../../shared/runtime.js';
import { type JournalEntry, readLocalJournal } from '../../shared/safety/journal.js';
import type { World } from '../helpers/world.js';

export const tempDir = (name: string) => mkdtemp(join(tmpdir(), `sse-guard-${name}-`));

/** Runs `audit --remediate` as the CLI does (policy inline, reports to `location`). */
export function remediate(
  world: World,
  policy: string,
  location: string | undefined,
  extra: Partial<AuditJobOptions> & { runtime?: Runtime } = {},
) {
  const settings = settingsFromEnv(world.emu.env);
  return auditJob(extra.runtime ?? world.runtime, {
    settings: { ...settings, policyRef: policy, dryRun: false, reportLocation: location },
    formats: ['json'],
    env: {},
    ...extra,
  });
}

/** The local journal of a run. */
export function journalOf(dir: string, runId: string): Promise<JournalEntry[]> {
  return readLocalJournal(join(dir, 'journal', `${runId}.jsonl`));
}

/** `kind` of each record about `bucket`, in order. */
export function kindsFor(entries: readonly JournalEntry[], bucket: string): string[] {
  return entries.filter((e) => 'bucket' in e && e.bucket === bucket).map((e) => e.kind);
}
