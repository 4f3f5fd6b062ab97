/**
 * The backfill's vocabulary: the run manifest the coordinator writes, the job a worker invocation
 * receives, the checkpoint segments a shard is made of, and the reports built from them.
 *
 * A run lives under `<report location>/backfill/<runId>/`:
 *   run.json                          the manifest (buckets, shards, the objects policy, tuning)
 *   shards/<shard>/claim-NNNNNN.json  who processes step N of a shard (created once)
 *   shards/<shard>/seg-NNNNNN.json    step N's result and the marker to continue from (created once)
 *   done/<shard>.json                 the shard's merged result, written when its last step is done
 *   aggregate.lock                    created once by the worker that builds the aggregate
 *   report.json                       the aggregate report (created once)
 */
import type { SseConfig } from '../model.js';
import type { ObjectAction, ObjectActionKind, ObjectVerdict } from '../objects/types.js';
import { OBJECT_ACTIONS, OBJECT_VERDICTS } from '../objects/types.js';
import type { ObjectsPolicy } from '../policy/schema.js';

/** A key range of one bucket: keys k under the run's prefix with `after < k <= until`. */
export interface ShardSpec {
  id: string;
  bucket: string;
  region: string;
  /** Exclusive lower bound (absent: from the first key). */
  after?: string;
  /** Inclusive upper bound (absent: to the last key). */
  until?: string;
  /**
   * An inventory-driven shard: one delivered inventory data file instead of a key range (`after`/`until`
   * unused). Its segments' `from`/`next` are row counts of the file as decimal strings.
   */
  inventory?: InventoryFile;
}

/** One data file of a delivered inventory (a `.csv.gz` in the destination bucket). */
export interface InventoryFile {
  bucket: string;
  region: string;
  key: string;
  /** The columns, from the manifest's `fileSchema`. */
  schema: string[];
}

/** The inventory a bucket's shards were planned from. */
export interface InventorySource {
  bucket: string;
  id: string;
  /** `oss://dest/.../manifest.json` */
  manifest: string;
  /** When OSS started the scan (the manifest folder's timestamp), ISO 8601. */
  scannedAt: string;
  files: number;
}

/** How workers pace themselves; chosen by the coordinator, the same for every shard of a run. */
export interface Tuning {
  /** Keys per ListObjects page and per checkpoint segment (1..1000). */
  pageSize: number;
  /** HeadObject (and copies) at once per worker. */
  concurrency: number;
  /** Time kept free before the deadline for the checkpoint and the hand-off (default: min(30 s, 1/4)). */
  reserveMs?: number;
  /** Retries of OSS calls inside a worker (default: the gateway's). */
  retry?: { maxAttempts?: number; baseMs?: number; capMs?: number };
}

/** Full pages, and as many object checks at once as the upload guard's SDK client handles comfortably. */
export const DEFAULT_TUNING: Tuning = { pageSize: 1000, concurrency: 16 };

/** A run id as the run stores and job payloads take it: letters, digits and dashes (UUIDs, FC request ids). */
export const RUN_ID = /^[A-Za-z0-9-]{1,64}$/;

/** Key ranges per bucket, at most. */
export const MAX_SHARDS = 256;

/** `dry-run`: report only, whatever `objects.action` says; `remediate`: act as `objects.action` says. */
export type BackfillMode = 'dry-run' | 'remediate';

/** The run's single source of truth, written once by the coordinator as `run.json`. */
export interface RunManifest {
  schemaVersion: 1;
  runId: string;
  startedAt: string;
  mode: BackfillMode;
  buckets: Array<{ name: string; region: string }>;
  prefix: string;
  /** Where the policy came from, and its objects section (the only part the workers apply). */
  policy: { source: string; sha256: string; objects: ObjectsPolicy };
  /** How the key ranges were found. */
  planner: Record<string, 'single' | 'prefixes' | 'keys' | 'inventory'>;
  shards: ShardSpec[];
  tuning: Tuning;
  /** Present when the run reads inventories (`backfill --inventory`): one entry per bucket. */
  inventory?: InventorySource[];
}

/** The event of one worker invocation. Small on purpose: everything else is in the manifest. */
export interface WorkerJob {
  kind: 'oss-sse-guard.backfill-worker';
  runId: string;
  /** The report location the run lives under (`oss://bucket/prefix` or a local folder). */
  location: string;
  shardId: string;
  /** The first step this invocation may process. */
  seq: number;
  /** Names one dispatch: Function Compute's retries of it carry the same token. */
  token: string;
}

/** Counts over a set of objects. */
export interface Counts {
  /** Objects listed in range (in scope or not). */
  objects: number;
  /** Listed but left alone by `objects.buckets` / `include` / `exclude`. */
  outOfScope: number;
  byVerdict: Record<ObjectVerdict, number>;
  actions: Record<ObjectActionKind, number>;
  /** Inventory runs: objects judged compliant from the inventory alone, without a request. */
  fromInventory?: number;
}

/** An object that needs a word: not encrypted as required, not checkable, or acted on. */
export interface BackfillFinding {
  bucket: string;
  key: string;
  size?: number;
  verdict: ObjectVerdict;
  observed: SseConfig | null;
  reason: string;
  action: ObjectAction;
  versioning?: string;
  /** DescribeKey facts of the object's KMS key, where they were read. */
  keyState?: string;
  keyOrigin?: string;
  keyProtection?: string;
  error?: { code: string; message: string; status?: number; requestId?: string; retryable: boolean };
}

/** One step of a shard: the keys after `from` up to and including `next`. */
export interface Segment {
  shardId: string;
  seq: number;
  token: string;
  /** Random per invocation: tells a write of ours (answered 409 after a lost reply) from another's. */
  attempt: string;
  from: string;
  next: string;
  /** The shard's last key was reached. */
  done: boolean;
  counts: Counts;
  findings: BackfillFinding[];
}

/** A finished shard: its segments merged (`done/<shard>.json`). */
export interface ShardResult {
  shardId: string;
  bucket: string;
  segments: number;
  counts: Counts;
  findings: BackfillFinding[];
}

/** The aggregate of a run (`report.json`), written once by the worker that holds the lock. */
export interface BackfillReport {
  schemaVersion: 1;
  kind: 'backfill';
  runId: string;
  startedAt: string;
  finishedAt: string;
  tool: { name: string; version: string };
  mode: BackfillMode;
  policy: { source: string; sha256: string };
  /** The object requirement in words (`at least sse-oss`). */
  requirement: string;
  buckets: Array<{ name: string; region: string }>;
  prefix: string;
  shards: Array<{ id: string; segments: number; objects: number }>;
  summary: Counts;
  /** Sorted by bucket and key; at most `FINDINGS_LIMIT` (the rest stay in the shard files). */
  findings: BackfillFinding[];
  findingsOmitted?: number;
  /** The shard whose worker built this report. */
  aggregatedBy: string;
  /** Inventory runs: which inventory each bucket was judged from, how old it was, how much it settled. */
  inventory?: Array<
    InventorySource & {
      /** Hours between the scan and the run's start. */
      ageHours: number;
      /** Objects judged compliant from the inventory without a request. */
      judgedFromInventory: number;
      /** Objects checked with HeadObject (not encrypted per the inventory, or not settled by it). */
      checkedWithHead: number;
    }
  >;
}

/** Findings kept in the aggregate report; a larger run keeps the rest in `done/<shard>.json`. */
export const FINDINGS_LIMIT = 100_000;

/** Counts at zero. */
export function emptyCounts(): Counts {
  return {
    objects: 0,
    outOfScope: 0,
    byVerdict: Object.fromEntries(OBJECT_VERDICTS.map((v) => [v, 0])) as Record<ObjectVerdict, number>,
    actions: Object.fromEntries(OBJECT_ACTIONS.map((a) => [a, 0])) as Record<ObjectActionKind, number>,
  };
}

/** `into` plus `more`, in place. */
export function addCounts(into: Counts, more: Counts): Counts {
  into.objects += more.objects;
  into.outOfScope += more.outOfScope;
  for (const v of OBJECT_VERDICTS) into.byVerdict[v] += more.byVerdict[v] ?? 0;
  for (const a of OBJECT_ACTIONS) into.actions[a] += more.actions[a] ?? 0;
  if (more.fromInventory) into.fromInventory = (into.fromInventory ?? 0) + more.fromInventory;
  return into;
}

/** Orders findings by bucket, then key (code-unit order, as OSS lists keys). */
export function byLocation(a: BackfillFinding, b: BackfillFinding): number {
  if (a.bucket !== b.bucket) return a.bucket < b.bucket ? -1 : 1;
  return a.key < b.key ? -1 : a.key > b.key ? 1 : 0;
}
