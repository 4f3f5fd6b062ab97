/**
 * The change journal: one record per step of every change a remediating run makes, written as it
 * happens and before the run can lose it. `intent` is durable before PutBucketEncryption is sent; the
 * outcome (`applied`, `not-applied`, `unknown`) follows. A crash between the two leaves the intent, and
 * undo decides from the bucket's current state (still in the "after" state or not), so a change whose
 * answer was lost is never forgotten.
 *
 * Locally: `<dir>/journal/<runId>.jsonl`, appended and fsync'd per record (a torn last line, from a kill
 * mid-write, is ignored when read). In OSS: `<prefix>/journal/<runId>/<seq>.json`, one create-only object
 * per record (OSS has no durable append that every SDK path offers; one small PutObject per step is as
 * durable as the service).
 */

import type { FileHandle } from 'node:fs/promises';
import { mkdir, open, readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { z } from 'zod';
import type { RunStore } from '../backfill/store.js';
import type { SseConfig } from '../model.js';
import { sseConfigSchema } from '../report/report-schema.js';

const sse = sseConfigSchema;

const entrySchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('start'),
    seq: z.number(),
    runId: z.string(),
    at: z.string(),
    purpose: z.string(),
    /** Organization runs: the member account whose buckets this journal's changes are in. */
    accountId: z.string().optional(),
    /** Organization runs: the role assumed in that account (undo assumes it again). */
    roleArn: z.string().optional(),
  }),
  z.object({
    kind: z.literal('intent'),
    seq: z.number(),
    runId: z.string(),
    at: z.string(),
    bucket: z.string(),
    region: z.string(),
    from: sse.nullable(),
    to: sse.nullable(),
    accountId: z.string().optional(),
  }),
  z.object({
    kind: z.enum(['applied', 'not-applied', 'unknown']),
    seq: z.number(),
    runId: z.string(),
    at: z.string(),
    bucket: z.string(),
    region: z.string(),
    detail: z.string().optional(),
    requestId: z.string().optional(),
    accountId: z.string().optional(),
  }),
  z.object({
    kind: z.literal('end'),
    seq: z.number(),
    runId: z.string(),
    at: z.string(),
    accountId: z.string().optional(),
  }),
]);

export type JournalEntry = z.infer<typeof entrySchema>;
export type Outcome = 'applied' | 'not-applied' | 'unknown';

/** What a record carries besides its sequence number, run id and time. */
export type JournalRecord =
  | { kind: 'start'; purpose: string; accountId?: string; roleArn?: string }
  | {
      kind: 'intent';
      bucket: string;
      region: string;
      from: SseConfig | null;
      to: SseConfig | null;
      accountId?: string;
    }
  | { kind: Outcome; bucket: string; region: string; detail?: string; requestId?: string; accountId?: string }
  | { kind: 'end'; accountId?: string };

export interface ChangeJournal {
  /** Where it lives, for people and for `undo --journal`. */
  readonly location: string;
  /** Resolves once the record is durable; throws when it could not be written (then change nothing). */
  append(record: JournalRecord): Promise<void>;
  close(): Promise<void>;
}

/** Records numbered and stamped, written one after another (the store sees them in order). */
abstract class SerialJournal implements ChangeJournal {
  abstract readonly location: string;
  private seq: number;
  private chain: Promise<void> = Promise.resolve();
  /** `afterSeq`: a journal continued by a retried invocation numbers its records after the last one. */
  constructor(
    protected readonly runId: string,
    private readonly now: () => Date,
    afterSeq = 0,
  ) {
    this.seq = afterSeq;
  }
  protected abstract write(entry: JournalEntry): Promise<void>;
  append(record: JournalRecord): Promise<void> {
    this.seq += 1;
    const entry = {
      ...record,
      seq: this.seq,
      runId: this.runId,
      at: this.now().toISOString(),
    } as JournalEntry;
    const next = this.chain.then(() => this.write(entry));
    this.chain = next.catch(() => undefined);
    return next;
  }
  async close(): Promise<void> {
    await this.chain;
  }
}

/** `<dir>/journal/<runId>.jsonl`, one line per record, fsync'd before `append` resolves. */
export class LocalJournal extends SerialJournal {
  private handle: FileHandle | undefined;
  constructor(
    readonly location: string,
    runId: string,
    now: () => Date,
    afterSeq = 0,
  ) {
    super(runId, now, afterSeq);
  }
  protected async write(entry: JournalEntry): Promise<void> {
    if (!this.handle) {
      await mkdir(dirname(this.location), { recursive: true });
      this.handle = await open(this.location, 'a');
    }
    await this.handle.write(`${JSON.stringify(entry)}\n`);
    await this.handle.sync();
  }
  override async close(): Promise<void> {
    await super.close();
    await this.handle?.close();
    this.handle = undefined;
  }
}

/** One create-only object per record under the run's journal prefix. */
export class StoreJournal extends SerialJournal {
  constructor(
    private readonly store: RunStore,
    runId: string,
    now: () => Date,
    afterSeq = 0,
  ) {
    super(runId, now, afterSeq);
  }
  get location(): string {
    return this.store.location;
  }
  protected async write(entry: JournalEntry): Promise<void> {
    const created = await this.store.create(
      `${String(entry.seq).padStart(6, '0')}.json`,
      JSON.stringify(entry),
    );
    if (!created) throw new Error(`journal record ${entry.seq} of run ${entry.runId} already exists`);
  }
}

/** Parses journal lines; a line that is not a whole record (a kill mid-write) is skipped. */
export function parseJournal(lines: Iterable<string>): JournalEntry[] {
  const out: JournalEntry[] = [];
  for (const line of lines) {
    if (!line.trim()) continue;
    try {
      const parsed = entrySchema.safeParse(JSON.parse(line));
      if (parsed.success) out.push(parsed.data);
    } catch {
      // torn or foreign line: not a record
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}

export async function readLocalJournal(path: string): Promise<JournalEntry[]> {
  return parseJournal((await readFile(path, 'utf8')).split('\n'));
}

export async function readStoreJournal(store: RunStore): Promise<JournalEntry[]> {
  const names = (await store.list('')).filter((n) => /^\d{6}\.json$/.test(n));
  const texts = await Promise.all(names.map((n) => store.read(n)));
  return parseJournal(texts.filter((t): t is string => t !== undefined));
}

/** One bucket's change as the journal tells it: what was to be applied and what came of it. */
export interface JournalChange {
  bucket: string;
  region: string;
  from: SseConfig | null;
  to: SseConfig | null;
  /** `undefined`: the intent was written, then the run stopped before it learnt the outcome. */
  outcome?: Outcome;
}

/** The changes a journal records, one per bucket (the last intent of a bucket wins), in journal order. */
export function journalChanges(entries: readonly JournalEntry[]): JournalChange[] {
  const byBucket = new Map<string, JournalChange>();
  for (const e of entries) {
    const id = 'bucket' in e ? `${e.region}/${e.bucket}` : '';
    if (e.kind === 'intent') {
      byBucket.delete(id);
      byBucket.set(id, { bucket: e.bucket, region: e.region, from: e.from, to: e.to });
    } else if (e.kind === 'applied' || e.kind === 'not-applied' || e.kind === 'unknown') {
      const c = byBucket.get(id);
      if (c) c.outcome = e.kind;
    }
  }
  return [...byBucket.values()];
}
