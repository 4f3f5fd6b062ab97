/**
 * `oss-sse-guard undo` of an organization run: `--journal <location>/org/<runId>` (every member the run
 * journaled), `--journal <location>/members/<id>/journal/<runId>` (one member), or `--report` of an
 * organization report. Each member is restored with the role assumed in that member (shared/org/undo.ts).
 * Exit codes as for one account: 0 all restored (or would be), 1 some skipped, 3 some failed.
 */
import { journalUndoChanges } from '../shared/audit/undo.js';
import type { Credentials } from '../shared/cloud/credentials.js';
import type { Settings } from '../shared/config.js';
import { EXIT } from '../shared/exit-codes.js';
import type { Report } from '../shared/model.js';
import { orgRunStore } from '../shared/org/run-store.js';
import { buildOrgDeps } from '../shared/org/runtime.js';
import {
  type MemberUndo,
  memberUndoOf,
  type OrgUndoStep,
  orgJournalMembers,
  orgReportMembers,
  orgRunRef,
  undoMembers,
} from '../shared/org/undo.js';
import { buildRuntime, type Runtime } from '../shared/runtime.js';
import type { JournalEntry } from '../shared/safety/journal.js';
import type { cliLogger } from './output.js';

export interface OrgUndoInput {
  settings: Settings;
  credentials: Credentials;
  runtime: Runtime;
  logger: ReturnType<typeof cliLogger>;
  apply: boolean;
  bucket?: string;
}

/** `--journal` of an organization run (`.../org/<runId>`): every member in the run's journal index. */
export async function orgJournalUndo(ref: string, input: OrgUndoInput): Promise<number | undefined> {
  const run = orgRunRef(ref);
  if (!run) return undefined;
  const index = orgRunStore(run.location, run.runId, input.runtime);
  const members = await orgJournalMembers(run.location, run.runId, input.runtime.oss, index, (e) =>
    journalUndoChanges(e, input.bucket),
  );
  return runMembers(members, run.runId, input);
}

/** `--journal` of one member (its records name the account), or undefined for a single-account journal. */
export async function memberJournalUndo(
  location: string,
  runId: string,
  journal: readonly JournalEntry[],
  input: OrgUndoInput,
): Promise<number | undefined> {
  const start = journal.find((e) => e.kind === 'start');
  const fromPath = /(?:^|\/)members\/([0-9]{1,32})\/?$/.exec(location)?.[1];
  const accountId = fromPath ?? (start?.kind === 'start' ? start.accountId : undefined);
  if (!accountId) return undefined;
  const member = memberUndoOf(accountId, location, journal, journalUndoChanges(journal, input.bucket));
  return runMembers([member], runId, input);
}

/** `--report` of an organization report (manifest verified by the caller). */
export function orgReportUndo(report: Report, location: string, input: OrgUndoInput): Promise<number> {
  return orgReportMembers(report, location, input.runtime.oss, input.bucket).then((members) =>
    runMembers(members, report.runId, input),
  );
}

function line(s: OrgUndoStep): string {
  return `${s.accountId.padEnd(17)} ${s.bucket.padEnd(24)} ${s.region.padEnd(15)} ${s.status.padEnd(14)} ${s.reason}`;
}

async function runMembers(members: MemberUndo[], runId: string, input: OrgUndoInput): Promise<number> {
  if (members.every((m) => m.changes.length === 0)) {
    process.stdout.write(`organization run ${runId} changed no bucket; nothing to undo\n`);
    return EXIT.ok;
  }
  const org = buildOrgDeps(input.settings, input.credentials, input.logger);
  const steps = await undoMembers(
    {
      sts: org.sts,
      ossFor: (member) => buildRuntime(input.settings, member, input.logger).oss,
      store: input.runtime.oss,
      logger: input.logger,
    },
    members,
    runId,
    { apply: input.apply },
  );
  const dry = input.apply ? '' : ' (dry run: add --apply to change)';
  process.stdout.write(`undo of organization run ${runId}, account by account${dry}\n`);
  for (const s of steps) process.stdout.write(`${line(s)}\n`);
  if (steps.some((s) => s.status === 'error')) return EXIT.unchecked;
  return steps.some((s) => s.status === 'skipped') ? EXIT.notMet : EXIT.ok;
}
