/**
 * Where a remediating run keeps its safety records: next to its reports. Under a report location
 * `oss://bucket/prefix` (or a local folder) the lease is `prefix/locks/` and the journal of run R is
 * `prefix/journal/R/` (locally `folder/journal/R.jsonl`). Reports and journal share one location, so
 * checking it at the start (lease and first journal record written) checks where the report will go.
 */
import { join } from 'node:path';
import { LocalRunStore, OssRunStore, type RunStore, type StoreGateway } from '../backfill/store.js';
import { CloudError, ConfigError, describeError, SseGuardError } from '../errors.js';
import { ossLocation } from '../ram/types.js';
import {
  type ChangeJournal,
  type JournalEntry,
  LocalJournal,
  readLocalJournal,
  readStoreJournal,
  StoreJournal,
} from './journal.js';

/** The report location cannot be written (a bad `--out`: missing bucket, 403, read-only folder). */
export class ReportLocationError extends ConfigError {}

/** The report location did not answer (network, 5xx): the run cannot promise a record, so it changes nothing. */
export class ReportLocationUnavailable extends SseGuardError {}

export interface SafetyPlace {
  /** The report location as given. */
  readonly location: string;
  readonly oss: boolean;
  readonly leases: RunStore;
  /** `afterSeq`: continue a journal that already holds records up to that number. */
  journal(runId: string, now: () => Date, afterSeq?: number): ChangeJournal;
  readJournal(runId: string): Promise<JournalEntry[] | undefined>;
}

function prefixed(prefix: string, path: string): string {
  const p = prefix.replace(/^\/+|\/+$/g, '');
  return p ? `${p}/${path}` : path;
}

export function safetyPlace(location: string, oss?: StoreGateway): SafetyPlace {
  const loc = ossLocation(location);
  if (!loc) {
    return {
      location,
      oss: false,
      leases: new LocalRunStore(join(location, 'locks')),
      journal: (runId, now, afterSeq) =>
        new LocalJournal(join(location, 'journal', `${runId}.jsonl`), runId, now, afterSeq),
      readJournal: async (runId) => {
        try {
          return await readLocalJournal(join(location, 'journal', `${runId}.jsonl`));
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw err;
        }
      },
    };
  }
  if (!oss) throw new ConfigError(`Report location ${location} needs an OSS client`);
  const store = (path: string) => new OssRunStore(oss, loc.bucket, prefixed(loc.key, path));
  return {
    location,
    oss: true,
    leases: store('locks'),
    journal: (runId, now, afterSeq) => new StoreJournal(store(`journal/${runId}`), runId, now, afterSeq),
    readJournal: async (runId) => {
      const entries = await readStoreJournal(store(`journal/${runId}`));
      return entries.length > 0 ? entries : undefined;
    },
  };
}

/**
 * The report location a stored report or journal belongs to: `<dir>/<runId>.json` -> `<dir>`;
 * `oss://b/prefix/YYYY/MM/DD/<runId>.json` -> `oss://b/prefix`; `<dir>/journal/<runId>.jsonl` -> `<dir>`;
 * `oss://b/prefix/journal/<runId>/` -> `oss://b/prefix`.
 */
export function locationOf(ref: string): string {
  const trimmed = ref.replace(/\/+$/, '');
  const parent = (p: string) => p.slice(0, Math.max(0, p.lastIndexOf('/')));
  let base = parent(trimmed);
  if (/\/journal$/.test(base) || base === 'journal') base = parent(base);
  else if (ossLocation(ref)) base = base.replace(/\/\d{4}\/\d{2}\/\d{2}$/, '');
  if (ossLocation(ref) && !ossLocation(`${base}/`)) return trimmed;
  return base === '' ? '.' : base;
}

/** A failure of the report location as the error the CLI maps to an exit code (2: fix the flag; 3: retry). */
export function locationError(location: string, what: string, err: unknown): SseGuardError {
  const detail = describeError(err);
  const message = `Report location ${location}: ${what} failed (${detail}); nothing was changed, because the run could not keep a record of its changes there`;
  if (err instanceof CloudError && (err.status === -1 || err.status === -2 || err.status >= 500)) {
    return new ReportLocationUnavailable(message, { cause: err });
  }
  return new ReportLocationError(message, { cause: err });
}
