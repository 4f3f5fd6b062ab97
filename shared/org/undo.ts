/**
 * Undo of an organization run, account by account: each member's changes come from that member's change
 * journal (member-guard.ts), are restored with credentials of the role assumed in that member (never the
 * management account's, never another member's), under that member's lease, and each bucket only while it
 * is still in the run's "after" state (shared/audit/undo.ts, as for one account). The account id is taken
 * from the journal's own records and must agree with where the journal lives and with the role's ARN.
 */
import type { Logger } from 'pino';
import { reportChanges, type UndoChange, type UndoOss, type UndoStep, undoChanges } from '../audit/undo.js';
import type { StoreGateway } from '../backfill/store.js';
import type { Credentials } from '../cloud/credentials.js';
import type { RoleAssumer } from '../cloud/sts.js';
import { describeError } from '../errors.js';
import type { Report } from '../model.js';
import { openGuard } from '../safety/guard.js';
import type { JournalEntry } from '../safety/journal.js';
import { safetyPlace } from '../safety/place.js';
import { journalIndexDir, memberLocation } from './member-guard.js';
import { sessionName } from './session.js';

/** `<location>/org/<runId>` (a trailing slash allowed): the organization run it names, else undefined. */
export function orgRunRef(ref: string): { location: string; runId: string } | undefined {
  const m = /^(?:(.*)\/)?org\/([A-Za-z0-9-]{1,64})\/*$/.exec(ref);
  if (!m) return undefined;
  return { location: m[1] || '.', runId: m[2] as string };
}

/** The account a member journal names (its start record), with the role assumed there. */
export function journalAccount(
  entries: readonly JournalEntry[],
): { accountId: string; roleArn: string } | undefined {
  const start = entries.find((e) => e.kind === 'start');
  if (start?.kind !== 'start' || !start.accountId || !start.roleArn) return undefined;
  return { accountId: start.accountId, roleArn: start.roleArn };
}

/** One member to undo: where its records are, which account and role, and its changes. */
export interface MemberUndo {
  accountId: string;
  roleArn: string;
  /** The member's safety location (its lease). */
  location: string;
  changes: UndoChange[];
  /** Set when the member's records cannot be trusted: every change is skipped with this reason. */
  refuse?: string;
}

/** Checks that a journal's records all name `accountId` and that the role is that account's. */
export function memberUndoOf(
  accountId: string,
  location: string,
  entries: readonly JournalEntry[],
  changes: UndoChange[],
): MemberUndo {
  const named = journalAccount(entries);
  const roleArn = named?.roleArn ?? '';
  const foreign = entries.some(
    (e) => 'accountId' in e && e.accountId !== undefined && e.accountId !== accountId,
  );
  let refuse: string | undefined;
  if (!named || named.accountId !== accountId || foreign) {
    refuse = `the change journal at ${location} does not name account ${accountId} in every record; not trusted`;
  } else if (!roleArn.startsWith(`acs:ram::${accountId}:role/`)) {
    refuse = `the journal's role ${roleArn} is not a role of account ${accountId}; not trusted`;
  }
  return { accountId, roleArn, location, changes, ...(refuse ? { refuse } : {}) };
}

/** The members an organization run journaled (its index), each with its journal's changes. */
export async function orgJournalMembers(
  location: string,
  runId: string,
  oss: StoreGateway,
  index: { list(dir: string): Promise<string[]> },
  changesOf: (entries: readonly JournalEntry[]) => UndoChange[],
): Promise<MemberUndo[]> {
  const out: MemberUndo[] = [];
  for (const name of await index.list(journalIndexDir)) {
    // The index entry's name is the account id (`<accountId>.json`); the member's location is derived
    // from it and the role is read from the member's own journal, so the entry's text is never trusted
    // (nor read: a damaged entry cannot stop the other members' undo).
    const accountId = /^([0-9]{1,32})\.json$/.exec(name)?.[1];
    if (!accountId) continue;
    const at = memberLocation(location, accountId);
    const entries = (await safetyPlace(at, oss).readJournal(runId)) ?? [];
    out.push(memberUndoOf(accountId, at, entries, changesOf(entries)));
  }
  return out;
}

/**
 * The members of an organization report (its manifest already verified), each change checked against the
 * member's journal of the run: a change the journal does not record is skipped, and a member without a
 * journal is refused (nothing says which role to assume, nor confirms the report).
 */
export async function orgReportMembers(
  report: Report,
  location: string,
  oss: StoreGateway,
  bucket?: string,
): Promise<MemberUndo[]> {
  const ids = [...new Set(report.findings.map((f) => f.accountId).filter((id): id is string => !!id))];
  const out: MemberUndo[] = [];
  for (const accountId of ids) {
    const at = memberLocation(location, accountId);
    const entries = await safetyPlace(at, oss).readJournal(report.runId);
    const own = { ...report, findings: report.findings.filter((f) => f.accountId === accountId) };
    const changes = reportChanges(own, { bucket, journal: entries ?? [] });
    if (!entries) {
      const refuse = `account ${accountId} has no change journal of run ${report.runId} at ${at}; not restored`;
      out.push({ accountId, roleArn: '', location: at, changes, refuse });
      continue;
    }
    out.push(memberUndoOf(accountId, at, entries, changes));
  }
  return out;
}

export interface OrgUndoDeps {
  sts: RoleAssumer;
  /** The member's OSS gateway for its assumed-role credentials. */
  ossFor(credentials: Credentials): UndoOss;
  /** The management account's gateway, for the member's lease and the undo's own journal. */
  store: StoreGateway;
  logger: Logger;
  now?: () => Date;
}

export type OrgUndoStep = UndoStep & { accountId: string };

/** Undoes each member in turn; one member's failure never stops the others. */
export async function undoMembers(
  deps: OrgUndoDeps,
  members: readonly MemberUndo[],
  runId: string,
  opts: { apply: boolean },
): Promise<OrgUndoStep[]> {
  const now = deps.now ?? (() => new Date());
  const steps: OrgUndoStep[] = [];
  const all = (m: MemberUndo, status: UndoStep['status'], reason: string) => {
    for (const c of m.changes) {
      steps.push({
        accountId: m.accountId,
        bucket: c.bucket,
        region: c.region,
        restore: c.from,
        status,
        reason,
      });
    }
  };
  for (const m of members) {
    if (m.changes.length === 0) continue;
    if (m.refuse) {
      all(m, 'skipped', m.refuse);
      continue;
    }
    let oss: UndoOss;
    try {
      const credentials = await deps.sts.assumeRole({
        roleArn: m.roleArn,
        sessionName: sessionName(`undo-${runId}`),
      });
      oss = deps.ossFor(credentials);
    } catch (err) {
      all(m, 'error', `role ${m.roleArn} could not be assumed: ${describeError(err)}`);
      continue;
    }
    const opened = opts.apply
      ? await openGuard(m.location, deps.store, {
          runId: `undo-${runId}-${now().getTime()}`,
          purpose: 'undo',
          now,
          account: { accountId: m.accountId, roleArn: m.roleArn },
          logger: deps.logger,
        }).catch((err: unknown) => err as Error)
      : undefined;
    if (opened instanceof Error) {
      all(m, 'error', `not restored: ${opened.message}`);
      continue;
    }
    if (opened?.heldBy) {
      all(m, 'error', `not restored: ${opened.heldBy}`);
      continue;
    }
    try {
      const done = await undoChanges(oss, m.changes, runId, {
        apply: opts.apply,
        logger: deps.logger.child({ accountId: m.accountId }),
        ...(opened ? { guard: opened.guard } : {}),
      });
      for (const s of done) steps.push({ accountId: m.accountId, ...s });
    } finally {
      await opened?.close(now());
    }
  }
  return steps;
}
