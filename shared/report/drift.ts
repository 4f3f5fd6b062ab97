/**
 * Drift between two runs, pure: which buckets became non-compliant, got fixed, appeared, disappeared, or
 * lost their exemption since the previous report (`latest.json`). Buckets are keyed by `region/bucket`.
 */
import {
  type Drift,
  type DriftEntry,
  driftKey,
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

function entry(f: Finding, from: FindingStatus | undefined, to: FindingStatus | undefined): DriftEntry {
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

/** Compares `current` with `previous` (absent on the first run: every bucket then "appeared"). */
export function computeDrift(previous: Report | undefined, current: Report): Drift {
  const before = new Map((previous?.findings ?? []).map((f) => [driftKey(f), f]));
  const drift: Drift = {
    ...(previous ? { previousRunId: previous.runId } : {}),
    currentRunId: current.runId,
    previousIncomplete: previous?.incomplete !== undefined,
    becameNoncompliant: [],
    fixed: [],
    changed: [],
    appeared: [],
    disappeared: [],
    exemptionsExpired: [],
    unchangedProblems: 0,
  };
  const seen = new Set<string>();
  for (const f of current.findings) {
    const key = driftKey(f);
    seen.add(key);
    const old = before.get(key);
    if (!old) {
      drift.appeared.push(entry(f, undefined, f.status));
    } else if (old.status === 'exempt' && f.reason.startsWith('exemption expired')) {
      drift.exemptionsExpired.push(entry(f, old.status, f.status));
    } else if (!isProblem(old.status) && isProblem(f.status)) {
      drift.becameNoncompliant.push(entry(f, old.status, f.status));
    } else if (isProblem(old.status) && !isProblem(f.status)) {
      drift.fixed.push(entry(f, old.status, f.status));
    } else if (isProblem(f.status) && old.status !== f.status) {
      drift.changed.push(entry(f, old.status, f.status));
    } else if (isProblem(f.status)) {
      drift.unchangedProblems += 1;
    }
  }
  for (const [key, old] of before) {
    if (!seen.has(key)) drift.disappeared.push(entry(old, old.status, undefined));
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
