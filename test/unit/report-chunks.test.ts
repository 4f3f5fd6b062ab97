/**
 * Rendering in pieces (renderChunks, jsonChunks): the pieces joined are the same text as the string
 * renderers, and no piece holds more than one bucket's row, so a writer never holds a whole report.
 */
import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/model.js';
import { computeDrift } from '../../shared/report/drift.js';
import { jsonChunks } from '../../shared/report/json-chunks.js';
import { FORMATS, render, renderChunks } from '../../shared/report/render.js';
import { sampleReport } from '../report/sample-report.js';

/**
 * The sample report with `n` findings (bucket names `bkt-00000`...), and its drift against a previous
 * report that had the last `changed` of them already.
 */
function largeReport(n: number, changed = n / 2): Report {
  const base = sampleReport();
  const findings = Array.from({ length: n }, (_, i) => ({
    ...structuredClone(base.findings[i % base.findings.length] as Report['findings'][number]),
    bucket: `bkt-${String(i).padStart(5, '0')}`,
  }));
  const report: Report = { ...base, findings };
  const previous: Report = { ...base, runId: 'previous', findings: findings.slice(changed) };
  return { ...report, drift: computeDrift(previous, report) };
}

describe('renderChunks', () => {
  it('joins to exactly the string render, for every format, with and without drift', () => {
    // Prepare
    const reports = [
      sampleReport(),
      sampleReport({ incomplete: { reason: 'deadline reached', unchecked: 2 } }),
      { ...sampleReport(), drift: computeDrift(undefined, sampleReport()) },
      largeReport(40),
      { ...sampleReport(), findings: [] },
    ];

    // Act
    const pairs = reports.flatMap((r) =>
      FORMATS.map((f) => ({ f, joined: [...renderChunks(r, f)].join(''), whole: render(r, f) })),
    );

    // Assess
    expect(pairs).toHaveLength(reports.length * FORMATS.length);
    for (const { f, joined, whole } of pairs) expect(joined, f).toBe(whole);
  });

  it('renders the JSON format as JSON.stringify(report, null, 2) plus a newline', () => {
    // Prepare
    const report = largeReport(12);

    // Act
    const text = [...renderChunks(report, 'json')].join('');

    // Assess
    expect(text).toBe(`${JSON.stringify(report, null, 2)}\n`);
  });

  it('never puts two buckets in one piece, in any format', () => {
    // Prepare: one bucket appeared; the table and Markdown drift sections are one piece each (drift.ts).
    const report = largeReport(300, 1);

    // Act
    const crowded = FORMATS.flatMap((f) =>
      [...renderChunks(report, f)]
        .map((piece) => new Set(piece.match(/bkt-\d{5}/g) ?? []).size)
        .filter((buckets) => buckets > 1)
        .map((buckets) => `${f}: ${buckets}`),
    );

    // Assess
    expect(crowded).toEqual([]);
  });

  it('renders afresh on each call, so a retried write can send the text again', () => {
    // Prepare
    const report = largeReport(20);

    // Act
    const first = [...renderChunks(report, 'html')].join('');
    const second = [...renderChunks(report, 'html')].join('');

    // Assess
    expect(second).toBe(first);
    expect(first.length).toBeGreaterThan(1000);
  });
});

describe('jsonChunks', () => {
  it('joins to JSON.stringify(value, null, 2) for every kind of value and depth', () => {
    // Prepare
    const deep = { a: { b: { c: { d: [1, [2, [3, { e: 'f' }]]] } } } };
    const values: unknown[] = [
      null,
      0,
      -1.5e-7,
      'text with "quotes", \\ and a\nnewline and \u2028',
      true,
      [],
      {},
      [[], {}, [[]], [{}]],
      { kept: 1, skipped: undefined, fn: () => 1, sym: Symbol('s'), nested: { also: undefined } },
      [undefined, () => 1, Symbol('s'), Number.NaN, Number.POSITIVE_INFINITY],
      { when: new Date('2026-01-05T10:00:00.000Z'), list: [new Date(0)] },
      { toJSON: () => ({ replaced: true }) },
      JSON.parse('{"__proto__": {"own": true}, "x": [1]}'),
      Object.assign(Object.create(null) as object, { bare: [1, 2] }),
      { boxed: [new String('s'), new Number(1)], map: new Map([['k', 1]]) },
      deep,
      [deep, deep],
      { undefinedOnly: undefined },
    ];

    // Act
    const results = values.map((v) => ({
      got: [...jsonChunks(v)].join(''),
      want: JSON.stringify(v, null, 2),
    }));

    // Assess
    for (const { got, want } of results) expect(got).toBe(want);
  });

  it('yields nothing for a value JSON cannot represent at the top', () => {
    // Act
    const pieces = [undefined, () => 1, Symbol('s')].map((v) => [...jsonChunks(v)]);

    // Assess
    expect(pieces).toEqual([[], [], []]);
  });
});
