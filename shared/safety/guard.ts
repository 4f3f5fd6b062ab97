/**
 * The change guard of a remediating run: the lease (one such run per account) and the change journal,
 * opened before the first change. Opening it checks the report location (lease and first journal record
 * written there), so a location that cannot be written stops the run before anything is changed.
 */
import type { Logger } from 'pino';
import { checkUnversioned, type StoreGateway } from '../backfill/store.js';
import type { SseConfig } from '../model.js';
import type { ChangeJournal, JournalEntry, Outcome } from './journal.js';
import { acquireLease, type Lease } from './lease.js';
import { locationError, type SafetyPlace, safetyPlace } from './place.js';

export interface ChangeGuard {
  /** Why no bucket may be changed now (another run holds the lease; ours expired), or undefined. */
  refusal(now: Date): string | undefined;
  /** Records the change about to be made; resolves once durable, throws when it could not be written. */
  intent(c: { bucket: string; region: string; from: SseConfig | null; to: SseConfig | null }): Promise<void>;
  /** Records what came of it (best effort: a failure is logged; the intent is already durable). */
  outcome(c: {
    bucket: string;
    region: string;
    outcome: Outcome;
    detail?: string;
    requestId?: string;
  }): Promise<void>;
}

export interface OpenedGuard {
  guard: ChangeGuard;
  /** Set when the lease is held by another run: this run changes nothing and says why. */
  heldBy?: string;
  journal?: ChangeJournal;
  /** `resume`: what this run's journal already held when the guard was opened (a retried invocation). */
  prior?: readonly JournalEntry[];
  /** Ends the journal and releases the lease. */
  close(now: Date): Promise<void>;
}

export interface GuardOptions {
  runId: string;
  purpose: 'audit' | 'undo';
  now: () => Date;
  /** Lease time to live (default 15 minutes; a deadline-bound run passes what it needs). */
  ttlMs?: number;
  logger?: Logger;
  /**
   * Organization runs: the member account whose buckets the run changes under this guard, and the role
   * assumed there. Every journal record names the account, so undo acts on it with its own credentials.
   */
  account?: { accountId: string; roleArn: string };
  /** Continue this run's journal if it exists (a retried worker), numbering after its last record. */
  resume?: boolean;
}

export const DEFAULT_LEASE_TTL_MS = 15 * 60_000;

/** A guard that changes nothing and says why (a lease another run holds). */
export function refusingGuard(reason: string): OpenedGuard {
  return {
    guard: {
      refusal: () => reason,
      intent: async () => {
        throw new Error(reason);
      },
      outcome: async () => {},
    },
    heldBy: reason,
    close: async () => {},
  };
}

/** Opens the guard at a report location. Throws `ReportLocationError` / `ReportLocationUnavailable`. */
export async function openGuard(
  location: string,
  oss: StoreGateway | undefined,
  opts: GuardOptions,
): Promise<OpenedGuard> {
  const place: SafetyPlace = safetyPlace(location, oss);
  if (place.oss && oss) {
    // OSS ignores x-oss-forbid-overwrite under versioning: the lease would stop being exclusive.
    await checkUnversioned(oss, location).catch((err: unknown) => {
      throw locationError(location, 'checking the bucket (GetBucketVersioning)', err);
    });
  }
  const taken = await acquireLease(place.leases, {
    runId: opts.runId,
    purpose: opts.purpose,
    now: opts.now(),
    ttlMs: opts.ttlMs ?? DEFAULT_LEASE_TTL_MS,
  }).catch((err: unknown) => {
    throw locationError(location, 'taking the lease', err);
  });
  if (!taken.held) {
    opts.logger?.warn({ holder: taken.holder }, 'lease held by another run; changing nothing');
    return refusingGuard(taken.reason);
  }
  const lease: Lease = taken.lease;
  const account = opts.account;
  let prior: JournalEntry[] | undefined;
  let journal: ChangeJournal;
  try {
    prior = opts.resume ? await place.readJournal(opts.runId) : undefined;
    journal = place.journal(opts.runId, opts.now, prior?.at(-1)?.seq ?? 0);
    await journal.append({ kind: 'start', purpose: opts.purpose, ...(account ?? {}) });
  } catch (err) {
    await lease.release(opts.now()).catch(() => undefined);
    throw locationError(location, 'writing the change journal', err);
  }
  return {
    journal,
    ...(prior ? { prior } : {}),
    guard: {
      refusal: (now) =>
        lease.valid(now)
          ? undefined
          : `the run's lease at ${lease.location} expired at ${lease.record.expiresAt}; changing nothing more`,
      intent: (c) =>
        journal.append({ kind: 'intent', ...c, ...(account ? { accountId: account.accountId } : {}) }),
      outcome: async ({ outcome, ...c }) => {
        const named = account ? { accountId: account.accountId } : {};
        await journal.append({ kind: outcome, ...c, ...named }).catch((err: unknown) => {
          opts.logger?.error(
            { bucket: c.bucket, err: (err as Error).message },
            'journal outcome not written',
          );
        });
      },
    },
    close: async (now) => {
      try {
        await journal
          .append({ kind: 'end', ...(account ? { accountId: account.accountId } : {}) })
          .catch(() => undefined);
        await journal.close();
      } finally {
        await lease.release(now).catch((err: unknown) => {
          opts.logger?.warn({ err: (err as Error).message }, 'lease not released; it expires on its own');
        });
      }
    },
  };
}
