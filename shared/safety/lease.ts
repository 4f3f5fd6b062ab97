/**
 * One remediating run (audit --remediate, undo --apply) per account at a time, arbitrated by the store
 * itself: the lease is a sequence of generation files `locks/<generation>.json`, each created with
 * create-only semantics (OSS `x-oss-forbid-overwrite: true`, answered 409 FileAlreadyExists when the
 * key exists; locally an atomic hard link). To take the lease a run creates the generation after the
 * newest one, and only when the newest is released (`locks/<generation>.released`) or past its expiry;
 * of two runs racing for the same generation, OSS lets exactly one create it. A run that dies keeps the
 * lease only until its expiry. Nothing is ever overwritten or deleted, so no run can take a lease
 * another run holds by a stale read.
 */
import { z } from 'zod';
import type { RunStore } from '../backfill/store.js';

const recordSchema = z.object({
  runId: z.string(),
  purpose: z.string(),
  generation: z.number().int().positive(),
  acquiredAt: z.string(),
  expiresAt: z.string(),
});

export type LeaseRecord = z.infer<typeof recordSchema>;

export interface Lease {
  readonly record: LeaseRecord;
  /** Where the lease lives, for messages. */
  readonly location: string;
  /** Whether the lease still holds at `now` (a run stops changing buckets once it expired). */
  valid(now: Date): boolean;
  /** Marks the generation released, so the next run need not wait for its expiry. */
  release(now: Date): Promise<void>;
}

export type LeaseResult =
  | { held: true; lease: Lease }
  | { held: false; holder?: LeaseRecord; reason: string };

export interface LeaseOptions {
  runId: string;
  /** `audit` or `undo`, for the message the other run gets. */
  purpose: string;
  now: Date;
  /** How long the lease holds without a release. */
  ttlMs: number;
}

const GENERATION = /^(\d{10})\.json$/;
const name = (g: number) => String(g).padStart(10, '0');

async function readRecord(store: RunStore, generation: number): Promise<LeaseRecord | undefined> {
  const text = await store.read(`${name(generation)}.json`);
  if (text === undefined) return undefined;
  try {
    const parsed = recordSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/** Why another run's lease keeps this one from changing anything. */
export function heldMessage(holder: LeaseRecord | undefined, location: string): string {
  if (!holder) return `another remediating run took the lease at ${location} first`;
  return `another remediating run holds the lease at ${location}: ${holder.purpose} run ${holder.runId}, since ${holder.acquiredAt}, until it finishes or ${holder.expiresAt}`;
}

/** Takes the lease, or says who holds it. Errors of the store (403, no such bucket) are thrown. */
export async function acquireLease(store: RunStore, opts: LeaseOptions): Promise<LeaseResult> {
  const names = await store.list('');
  const generations = names.map((n) => GENERATION.exec(n)?.[1]).filter((g): g is string => g !== undefined);
  const newest = generations.reduce((max, g) => Math.max(max, Number(g)), 0);
  if (newest > 0) {
    const released = names.includes(`${name(newest)}.released`);
    const holder = await readRecord(store, newest);
    // An unreadable generation file cannot hold the lease (created whole, so only a foreign file is).
    if (holder && !released && Date.parse(holder.expiresAt) > opts.now.getTime()) {
      return { held: false, holder, reason: heldMessage(holder, store.location) };
    }
  }
  const record: LeaseRecord = {
    runId: opts.runId,
    purpose: opts.purpose,
    generation: newest + 1,
    acquiredAt: opts.now.toISOString(),
    expiresAt: new Date(opts.now.getTime() + opts.ttlMs).toISOString(),
  };
  if (!(await store.create(`${name(record.generation)}.json`, JSON.stringify(record)))) {
    const winner = await readRecord(store, record.generation);
    return { held: false, holder: winner, reason: heldMessage(winner, store.location) };
  }
  let released = false;
  return {
    held: true,
    lease: {
      record,
      location: store.location,
      valid: (now) => !released && now.getTime() < Date.parse(record.expiresAt),
      release: async (now) => {
        if (released) return;
        released = true;
        await store.create(
          `${name(record.generation)}.released`,
          JSON.stringify({ runId: record.runId, at: now.toISOString() }),
        );
      },
    },
  };
}
