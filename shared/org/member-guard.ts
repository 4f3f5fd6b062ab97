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
import {
  type ChangeGuard,
  DEFAULT_LEASE_TTL_MS,
  type OpenedGuard,
  openGuard,
  refusingGuard,
} from '../safety/guard.js';
import { acquireLease } from '../safety/lease.js';
import { locationError, safetyPlace } from '../safety/place.js';
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

/**
 * A single-account run that knows its own account id takes that account's member lease too, so it and
 * an organization run at the same report location never change the account's buckets at once. Returns
 * the run's guard with the member lease added (its journal stays the run's own), and a release.
 */
export async function withAccountLease(
  opened: OpenedGuard,
  location: string,
  oss: StoreGateway | undefined,
  opts: { accountId: string; runId: string; now: () => Date; ttlMs: number; logger?: Logger },
): Promise<{ guard: ChangeGuard; heldBy?: string; release(now: Date): Promise<void> }> {
  const place = safetyPlace(memberLocation(location, opts.accountId), oss);
  const taken = await acquireLease(place.leases, {
    runId: opts.runId,
    purpose: 'audit',
    now: opts.now(),
    ttlMs: opts.ttlMs,
  }).catch((err: unknown) => {
    throw locationError(location, "taking the account's lease", err);
  });
  if (!taken.held) {
    opts.logger?.warn(
      { holder: taken.holder },
      "account's lease held by an organization run; changing nothing",
    );
    return { guard: refusingGuard(taken.reason).guard, heldBy: taken.reason, release: async () => {} };
  }
  const lease = taken.lease;
  return {
    guard: {
      ...opened.guard,
      refusal: (now) =>
        opened.guard.refusal(now) ??
        (lease.valid(now)
          ? undefined
          : `the account's lease at ${lease.location} expired; changing nothing more`),
    },
    release: (now) => lease.release(now).catch(() => undefined),
  };
}
