/**
 * The change guard of each member account in an organization run: the same lease and change journal as a
 * single-account run (shared/safety/guard.ts), kept per member under the organization's report location.
 *
 * - `<location>/members/<accountId>/locks/`: that account's lease. Every organization run (in one process
 *   or fanned out over Function Compute) takes it before changing any bucket of the account and gives it
 *   back when the account is done, so two overlapping organization runs never change the same member's
 *   buckets at once; the second says which run holds it.
 * - `<location>/members/<accountId>/journal/<runId>`: that account's change journal of the run, every
 *   record naming the account, the start record also the role assumed there (so undo can assume it again).
 *   A retried worker continues the journal (numbering after its last record) instead of overwriting it.
 * - `<location>/org/<runId>/journals/<accountId>.json` (create-once): the run's index of member journals,
 *   written before the account's first change, which `undo --journal <location>/org/<runId>` reads.
 */
import { join } from 'node:path';
import type { RunStore, StoreGateway } from '../backfill/store.js';
import { ConfigError } from '../errors.js';
import type { Logger } from '../log.js';
import { ossLocation } from '../ram/types.js';
import { DEFAULT_LEASE_TTL_MS, type OpenedGuard, openGuard, refusingGuard } from '../safety/guard.js';
import { locationError } from '../safety/place.js';
import type { Member } from './select.js';

/** One entry of a run's journal index. */
export interface MemberJournalRef {
  accountId: string;
  accountName: string;
  roleArn: string;
  /** The member's safety location (lease and journals), as `safetyPlace` takes it. */
  location: string;
}

export const journalIndexDir = 'journals';

/** `<location>/members/<accountId>`: where a member's lease and journals are. */
export function memberLocation(location: string, accountId: string): string {
  if (!/^[0-9]{1,32}$/.test(accountId)) throw new ConfigError(`Account id "${accountId}" is not valid`);
  return ossLocation(location)
    ? `${location.replace(/\/+$/, '')}/members/${accountId}`
    : join(location, 'members', accountId);
}

export interface MemberGuardRequest {
  runId: string;
  member: Member;
  roleArn: string;
  /** The run's store (`<location>/org/<runId>/`), where the journal index goes. */
  runStore: RunStore;
  /** Epoch ms by which the invocation ends: the lease lives a minute past it (default 15 minutes). */
  deadline?: number;
}

export interface MemberGuards {
  open(req: MemberGuardRequest): Promise<OpenedGuard>;
}

export interface MemberGuardOptions {
  now: () => Date;
  logger?: Logger;
  /** Set when the run as a whole must change nothing (another run holds the organization's lease). */
  refuse?: string;
}

/** Member guards at the organization's report location. Opening one throws a `ReportLocationError`. */
export function memberGuards(
  location: string,
  oss: StoreGateway | undefined,
  opts: MemberGuardOptions,
): MemberGuards {
  return {
    async open(req) {
      if (opts.refuse) return refusingGuard(opts.refuse);
      const { accountId, accountName } = req.member;
      const at = memberLocation(location, accountId);
      const ttlMs =
        req.deadline === undefined || !Number.isFinite(req.deadline)
          ? DEFAULT_LEASE_TTL_MS
          : Math.max(60_000, req.deadline - opts.now().getTime() + 60_000);
      const opened = await openGuard(at, oss, {
        runId: req.runId,
        purpose: 'audit',
        now: opts.now,
        ttlMs,
        account: { accountId, roleArn: req.roleArn },
        resume: true,
        ...(opts.logger ? { logger: opts.logger.child({ accountId }) } : {}),
      });
      if (opened.heldBy) return opened;
      const ref: MemberJournalRef = { accountId, accountName, roleArn: req.roleArn, location: at };
      try {
        // Before the account's first change: undo of the run finds this journal through the index.
        await req.runStore.create(`${journalIndexDir}/${accountId}.json`, JSON.stringify(ref));
      } catch (err) {
        await opened.close(opts.now());
        throw locationError(location, 'writing the journal index', err);
      }
      return opened;
    },
  };
}
