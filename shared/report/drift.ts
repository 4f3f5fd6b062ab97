/**
 * Drift between two runs, pure: which buckets became non-compliant, got fixed, appeared, disappeared, or
 * lost their exemption since the previous report (`latest.json`). Buckets are keyed by `region/bucket`.
 */
import {
  type Drift,
  type DriftEntry,
  driftKey,
  FINDING_STATUSES,
  type Finding,
  type FindingStatus,
  hasDrift,
  isProblem,
  type Report,
} from '../model.js';
import { escapeControl } from '../safe-text.js';
import { mdCode, mdText } from './md-escape.js';

// The drift types and the status helpers are report vocabulary that alerts need too, so they live in
// model.ts (alerts never import the report); re-exported here for the report's readers.
export type { Drift, DriftEntry } from '../model.js';
export { driftKey, hasDrift, isProblem, OK_STATUSES } from '../model.js';

function entry(
  f: PreviousFinding,
  from: FindingStatus | undefined,
  to: FindingStatus | undefined,
): DriftEntry {
  return {
    key: driftKey(f),
    bucket: f.bucket,
    region: f.region,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    reason: f.reason,
    ...(f.accountId ? { accountId: f.accountId } : {}),
  };
}

const byKey = (a: DriftEntry, b: DriftEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);

/** What drift reads of a previous finding. */
export type PreviousFinding = Pick<Finding, 'bucket' | 'region' | 'status' | 'reason' | 'accountId'>;

/**
 * Drift computed while the previous report's findings arrive one at a time (read as a stream, never held):
 * hand each to `previous`, then call `finish` with the previous report's envelope. What is kept is O(1)
 * per current bucket (an index entry and a status byte) plus the entries of buckets that disappeared.
 * `finish(undefined)` (no previous report, or one that turned out not to be valid) drops whatever was
 * handed in and gives a baseline. Gives exactly what `computeDrift` gives for the same findings.
 */
export interface DriftBuilder {
  /** One finding of the previous report, in any order; of two with the same key, the later one counts. */
  previous(f: PreviousFinding): void;
  finish(previous: Pick<Report, 'runId' | 'incomplete'> | undefined): Drift;
}

/** A status as a byte (0: none) and back. */
const STATUS_CODE = new Map<FindingStatus, number>(FINDING_STATUSES.map((s, i) => [s, i + 1]));

/**
 * The last `/`-separated segment of a finding's drift key: its bucket name, for every real bucket. Two
 * findings with the same key have the same last segment, so the current findings are indexed by it
 * without building a key string per bucket.
 */
const lastSegment = (bucket: string) => {
  const i = bucket.lastIndexOf('/');
  return i < 0 ? bucket : bucket.slice(i + 1);
};

const sameKey = (a: PreviousFinding, b: PreviousFinding) =>
  (a.bucket === b.bucket && a.region === b.region && a.accountId === b.accountId) ||
  driftKey(a) === driftKey(b);

export function driftBuilder(current: Report): DriftBuilder {
  const findings = current.findings;
  const byName = new Map<string, number | number[]>();
  for (const [i, f] of findings.entries()) {
    const name = lastSegment(f.bucket);
    const had = byName.get(name);
    if (had === undefined) byName.set(name, i);
    else if (Array.isArray(had)) had.push(i);
    else byName.set(name, [had, i]);
  }
  // The previous status of each current finding (0: the previous report did not have its key).
  const before = new Uint8Array(findings.length);
  const gone = new Map<string, DriftEntry>();
  const match = (i: number, f: PreviousFinding) => {
    const cur = findings[i];
    if (!cur || !sameKey(cur, f)) return false;
    before[i] = STATUS_CODE.get(f.status) ?? 0;
    return true;
  };
  return {
    previous(f) {
      const had = byName.get(lastSegment(f.bucket));
      let matched = false;
      if (typeof had === 'number') matched = match(had, f);
      else if (had) for (const i of had) matched = match(i, f) || matched;
      if (!matched) gone.set(driftKey(f), entry(f, f.status, undefined));
    },
    finish(previous) {
      const drift: Drift = {
        ...(previous ? { previousRunId: previous.runId } : {}),
        currentRunId: current.runId,
        previousIncomplete: previous?.incomplete !== undefined,
        becameNoncompliant: [],
        fixed: [],
        changed: [],
        appeared: [],
        disappeared: previous ? [...gone.values()] : [],
        exemptionsExpired: [],
        unchangedProblems: 0,
      };
      for (const [i, f] of findings.entries()) {
        const old = previous ? FINDING_STATUSES[(before[i] ?? 0) - 1] : undefined;
        if (!old) {
          drift.appeared.push(entry(f, undefined, f.status));
        } else if (old === 'exempt' && f.reason.startsWith('exemption expired')) {
          drift.exemptionsExpired.push(entry(f, old, f.status));
        } else if (!isProblem(old) && isProblem(f.status)) {
          drift.becameNoncompliant.push(entry(f, old, f.status));
        } else if (isProblem(old) && !isProblem(f.status)) {
          drift.fixed.push(entry(f, old, f.status));
        } else if (isProblem(f.status) && old !== f.status) {
          drift.changed.push(entry(f, old, f.status));
        } else if (isProblem(f.status)) {
          drift.unchangedProblems += 1;
        }
      }
      for (const list of [
        drift.becameNoncompliant,
        drift.fixed,
        drift.changed,
        drift.appeared,
        drift.disappeared,
        drift.exemptionsExpired,
      ]) {
        list.sort(byKey);
      }
      return drift;
    },
  };
}

/** Compares `current` with `previous` (absent on the first run: every bucket then "appeared"). */
export function computeDrift(previous: Report | undefined, current: Report): Drift {
  const builder = driftBuilder(current);
  for (const f of previous?.findings ?? []) builder.previous(f);
  return builder.finish(previous);
}

/** The names of the drift lists. */
export type DriftListName =
  | 'becameNoncompliant'
  | 'exemptionsExpired'
  | 'changed'
  | 'fixed'
  | 'appeared'
  | 'disappeared';

/** The drift lists with their headings, in the order every renderer shows them. */
export const DRIFT_SECTIONS: ReadonlyArray<[DriftListName, string]> = [
  ['becameNoncompliant', 'Became non-compliant'],
  ['exemptionsExpired', 'Exemptions expired'],
  ['changed', 'Problem changed'],
  ['fixed', 'Fixed'],
  ['appeared', 'Appeared'],
  ['disappeared', 'Disappeared'],
];

function transition(e: DriftEntry): string {
  return `${e.from ?? '(new)'} -> ${e.to ?? '(gone)'}`;
}

/** One terminal line: whitespace folded, control and escape sequences written visibly. */
function oneLine(value: string): string {
  return escapeControl(value.replace(/\s+/g, ' '));
}

/**
 * The drift as text, for the terminal table (`table`) or Markdown (`md`). Lists every changed bucket
 * under its heading; a baseline run (no previous report) says so instead of listing every bucket.
 */
export function renderDriftText(d: Drift, format: 'table' | 'md'): string {
  const md = format === 'md';
  const cell = (v: string) => mdText(v);
  const out: string[] = [md ? '## Changes since the previous run' : 'CHANGES SINCE THE PREVIOUS RUN'];
  if (!d.previousRunId) {
    out.push('', `No previous report: this run (${d.appeared.length} buckets) is the baseline.`);
    return `${out.join('\n')}\n`;
  }
  out.push('', `Compared with run ${md ? mdCode(d.previousRunId) : oneLine(d.previousRunId)}.`);
  if (!hasDrift(d)) {
    out.push('', `No changes (${d.unchangedProblems} unchanged problems).`);
    return `${out.join('\n')}\n`;
  }
  for (const [name, title] of DRIFT_SECTIONS) {
    const entries = d[name];
    if (entries.length === 0) continue;
    out.push('', md ? `### ${title} (${entries.length})` : `${title} (${entries.length}):`);
    if (md) {
      out.push('', '| bucket | region | change | reason |', '| --- | --- | --- | --- |');
      for (const e of entries)
        out.push(`| ${cell(e.bucket)} | ${cell(e.region)} | ${cell(transition(e))} | ${cell(e.reason)} |`);
    } else {
      for (const e of entries)
        out.push(`  ${oneLine(e.key)}  ${oneLine(transition(e))}  ${oneLine(e.reason)}`);
    }
  }
  if (d.unchangedProblems > 0)
    out.push('', `${d.unchangedProblems} problems unchanged since the previous run.`);
  return `${out.join('\n')}\n`;
}

/** Drift counted per member account (organization runs): how many buckets got worse, got fixed, came, went. */
export function driftByAccount(
  d: Drift,
): Map<string, { becameNoncompliant: number; fixed: number; appeared: number; disappeared: number }> {
  const out = new Map<
    string,
    { becameNoncompliant: number; fixed: number; appeared: number; disappeared: number }
  >();
  const lists = [
    ['becameNoncompliant', d.becameNoncompliant],
    ['fixed', d.fixed],
    ['appeared', d.appeared],
    ['disappeared', d.disappeared],
  ] as const;
  for (const [name, entries] of lists) {
    for (const e of entries) {
      if (!e.accountId) continue;
      const c = out.get(e.accountId) ?? { becameNoncompliant: 0, fixed: 0, appeared: 0, disappeared: 0 };
      c[name] += 1;
      out.set(e.accountId, c);
    }
  }
  return out;
}
