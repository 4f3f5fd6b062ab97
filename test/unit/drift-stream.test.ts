/**
 * Drift from a previous report read as a stream (issue 19, bounded memory): the previous findings go into
 * `driftBuilder` one at a time as `readReport` parses them and are never kept, and the drift is exactly the
 * one computed from the previous report held whole (the Map-based comparison drift used before, kept
 * below as the reference): duplicate keys, keys that only match as strings, organization keys,
 * disappeared buckets, and a previous report that turns out invalid after its findings were read.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  type Drift,
  type DriftEntry,
  driftKey,
  FINDING_STATUSES,
  type Finding,
  isProblem,
  type Report,
  summarize,
} from '../../shared/model.js';
import { computeDrift, driftBuilder } from '../../shared/report/drift.js';
import { driftSinceLatest } from '../../shared/report/publish.js';
import { readReport } from '../../shared/report/read-report.js';
import { render } from '../../shared/report/render.js';
import { LocalStore } from '../../shared/report/store.js';
import { sampleReport } from '../report/sample-report.js';

/** Drift as it was computed before streaming: the previous findings in a Map by key, the last one wins. */
function referenceDrift(previous: Report | undefined, current: Report): Drift {
  const entry = (f: Finding, from?: Finding['status'], to?: Finding['status']): DriftEntry => ({
    key: driftKey(f),
    bucket: f.bucket,
    region: f.region,
    ...(from ? { from } : {}),
    ...(to ? { to } : {}),
    reason: f.reason,
    ...(f.accountId ? { accountId: f.accountId } : {}),
  });
  const before = new Map((previous?.findings ?? []).map((f) => [driftKey(f), f]));
  const d: Drift = {
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
    seen.add(driftKey(f));
    const old = before.get(driftKey(f));
    if (!old) d.appeared.push(entry(f, undefined, f.status));
    else if (old.status === 'exempt' && f.reason.startsWith('exemption expired'))
      d.exemptionsExpired.push(entry(f, old.status, f.status));
    else if (!isProblem(old.status) && isProblem(f.status))
      d.becameNoncompliant.push(entry(f, old.status, f.status));
    else if (isProblem(old.status) && !isProblem(f.status)) d.fixed.push(entry(f, old.status, f.status));
    else if (isProblem(f.status) && old.status !== f.status) d.changed.push(entry(f, old.status, f.status));
    else if (isProblem(f.status)) d.unchangedProblems += 1;
  }
  for (const [key, old] of before) if (!seen.has(key)) d.disappeared.push(entry(old, old.status));
  const byKey = (a: DriftEntry, b: DriftEntry) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
  for (const l of [d.becameNoncompliant, d.fixed, d.changed, d.appeared, d.disappeared, d.exemptionsExpired])
    l.sort(byKey);
  return d;
}

/** A small deterministic generator (no Math.random: a failure replays). */
function lcg(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

/** A run of `n` findings over few names, regions and accounts, so keys repeat and collide. */
function randomRun(runId: string, n: number, rand: () => number): Report {
  const base = sampleReport({ runId });
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rand() * xs.length)] as T;
  const findings: Finding[] = Array.from({ length: n }, () => {
    const f: Finding = {
      ...structuredClone(pick(base.findings)),
      // "x/y" buckets and "cn-a/x" regions give keys that are equal as strings but not field by field.
      bucket: pick(['a', 'b', 'c', 'x/y', 'y', 'd-0123456789-long-name']),
      region: pick(['cn-a', 'cn-a/x', 'cn-b']),
      status: pick(FINDING_STATUSES),
      reason: pick(['meets it', 'exemption expired on 2026-01-01; no default', 'no default encryption']),
    };
    delete f.accountId;
    if (rand() < 0.3) f.accountId = pick(['111', '222']);
    return f;
  });
  return { ...base, findings, summary: summarize(findings) };
}

async function streamedDrift(previousText: string, current: Report): Promise<Drift> {
  const builder = driftBuilder(current);
  const previous = await readReport(Readable.from([previousText]), {
    skipRecords: true,
    findings: (f) => builder.previous(f),
  });
  return builder.finish(previous);
}

describe('drift from a previous report read as a stream', () => {
  it('equals the drift computed from the whole previous report, on runs with repeated and colliding keys', async () => {
    // Prepare
    const rand = lcg(19);
    const pairs = Array.from({ length: 40 }, (_, i) => [
      randomRun(`prev-${i}`, 1 + Math.floor(rand() * 30), rand),
      randomRun(`cur-${i}`, Math.floor(rand() * 30), rand),
    ]) as Array<[Report, Report]>;

    // Act
    const streamed = await Promise.all(pairs.map(([p, c]) => streamedDrift(render(p, 'json'), c)));

    // Assess
    for (const [i, [p, c]] of pairs.entries()) {
      const expected = referenceDrift(p, c);
      expect(streamed[i]).toEqual(expected);
      expect(computeDrift(p, c)).toEqual(expected);
    }
    expect(streamed.some((d) => d.disappeared.length > 0 && d.fixed.length > 0)).toBe(true);
  });

  it('gives a baseline, with nothing disappeared, when the previous report turns out invalid after its findings', async () => {
    // Prepare
    const rand = lcg(7);
    const previous = randomRun('prev', 20, rand);
    const current = randomRun('cur', 5, rand);
    const broken = render({ ...previous, summary: undefined } as unknown as Report, 'json');

    // Act
    const drift = await streamedDrift(broken, current);

    // Assess
    expect(drift).toEqual(referenceDrift(undefined, current));
    expect(drift.previousRunId).toBeUndefined();
    expect(drift.disappeared).toEqual([]);
  });

  it('reads latest.json from a folder without keeping its findings and gives the whole-report drift', async () => {
    // Prepare
    const dir = await mkdtemp(join(tmpdir(), 'drift-stream-'));
    const rand = lcg(3);
    const previous = randomRun('prev', 200, rand);
    const current = randomRun('cur', 150, rand);
    await writeFile(join(dir, 'latest.json'), render(previous, 'json'));
    const store = new LocalStore(dir);
    let handed = 0;

    // Act
    const drift = await driftSinceLatest(current, { store });
    const envelope = await store.readLatest({ findings: () => (handed += 1) });

    // Assess
    expect(drift).toEqual(referenceDrift(previous, current));
    expect(handed).toBe(previous.findings.length);
    expect(envelope?.findings).toEqual([]);
    expect(envelope?.runId).toBe('prev');
  });
});
