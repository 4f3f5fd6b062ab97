/**
 * Parsing JSON that arrives in pieces (JsonPieceParser) and reading a stored report from pieces
 * (readReport, parseReport): the same values as JSON.parse wherever the text is cut, the same verdict as
 * the report schema, validation as each finding arrives.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { computeDrift } from '../../shared/report/drift.js';
import { type JsonPath, JsonPieceParser } from '../../shared/report/json-pieces.js';
import { readReport } from '../../shared/report/read-report.js';
import { render } from '../../shared/report/render.js';
import { parseReport } from '../../shared/report/store.js';
import { sampleReport } from '../report/sample-report.js';

function parseInPieces(text: string, size: number, revive?: (p: JsonPath, v: unknown) => unknown): unknown {
  const parser = new JsonPieceParser(revive);
  for (let i = 0; i < text.length; i += size) parser.write(text.slice(i, i + size));
  return parser.end();
}

const SAMPLE = JSON.stringify(
  {
    a: [1, -2.5e3, true, false, null, 'x"y\\z\u2028', { b: [[], {}, [{ c: 'd}]' }]] }],
    'key with "quotes"': { nested: { deeper: [1, [2, [3]]] } },
    empty: [],
    obj: {},
    dup: 1,
  },
  null,
  1,
).replace('"dup": 1', '"dup": 1, "dup": 2');

describe('JsonPieceParser', () => {
  it('gives what JSON.parse gives, wherever the text is cut', () => {
    // Prepare
    const want = JSON.parse(SAMPLE);

    // Act
    const results = [1, 2, 3, 7, 64, SAMPLE.length].map((size) => parseInPieces(SAMPLE, size));

    // Assess
    for (const got of results) expect(got).toEqual(want);
  });

  it('parses top-level scalars and strings, and keeps "__proto__" as an own property', () => {
    // Act
    const scalars = ['12', ' -0.5 ', 'true', 'null', '"a\\"b"'].map((t) => parseInPieces(t, 1));
    const proto = parseInPieces('{"__proto__": {"polluted": true}, "list": [{"__proto__": 1}]}', 5) as Record<
      string,
      unknown
    >;

    // Assess
    expect(scalars).toEqual([12, -0.5, true, null, 'a"b']);
    expect(Object.getPrototypeOf(proto)).toBe(Object.prototype);
    expect(Object.hasOwn(proto, '__proto__')).toBe(true);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('throws a SyntaxError for text that is not one JSON value, as JSON.parse does', () => {
    // Prepare
    const bad = [
      '',
      '{',
      '[1,]',
      '{"a":1,}',
      '{"a" 1}',
      '1 2',
      '[1 2]',
      '{"a":1}}',
      'tru',
      '{"a":[1,2}',
      '"abc',
      '{1:2}',
    ];

    // Act
    const outcomes = bad.map((text) => {
      try {
        parseInPieces(text, 2);
        return 'parsed';
      } catch (err) {
        return (err as Error).name;
      }
    });

    // Assess
    expect(outcomes).toEqual(bad.map(() => 'SyntaxError'));
  });

  it('hands each value to the reviver with its path, innermost first, and keeps what it returns', () => {
    // Prepare
    const seen: string[] = [];
    const revive = (path: JsonPath, value: unknown) => {
      seen.push(path.join('.'));
      return path[0] === 'list' && path.length === 2 ? { wrapped: value } : value;
    };

    // Act
    const out = parseInPieces('{"list": [{"n": 1}, {"n": 2}], "k": "v"}', 3, revive);

    // Assess
    expect(out).toEqual({ list: [{ wrapped: { n: 1 } }, { wrapped: { n: 2 } }], k: 'v' });
    expect(seen).toEqual(['list.0', 'list.1', 'list', 'k', '']);
  });
});

describe('reading a stored report', () => {
  it('reads back a published report from bytes cut anywhere, multi-byte characters included', async () => {
    // Prepare
    const report = sampleReport();
    report.findings[0] = {
      ...report.findings[0],
      reason: '年报 encryption 🔐 missing',
    } as (typeof report.findings)[0];
    const bytes = Buffer.from(render(report, 'json'));
    const pieces = Array.from({ length: Math.ceil(bytes.length / 7) }, (_, i) =>
      bytes.subarray(i * 7, i * 7 + 7),
    );

    // Act
    const back = await readReport(Readable.from(pieces));

    // Assess
    expect(back).toEqual(report);
    expect(parseReport(render(report, 'json'))).toEqual(report);
  });

  it('refuses a report whose finding, drift entry, alert or envelope breaks the schema', async () => {
    // Prepare
    const good = JSON.parse(render(sampleReport(), 'json')) as Record<string, unknown>;
    const findings = good.findings as Array<Record<string, unknown>>;
    const drift = {
      currentRunId: 'r',
      previousIncomplete: false,
      becameNoncompliant: [],
      fixed: [],
      changed: [],
      appeared: [{ key: 'k', bucket: 'b', region: 'r', reason: 'x', surprise: 1 }],
      disappeared: [],
      exemptionsExpired: [],
      unchangedProblems: 0,
    };
    const variants = [
      { ...good, findings: [{ ...findings[0], status: 'fine' }] },
      { ...good, drift },
      { ...good, alerts: [{ sink: 'pager' }] },
      { ...good, schemaVersion: 2 },
      { ...good, extra: true },
      { ...good, findings: { 0: findings[0] } },
    ];

    // Act
    const read = await Promise.all(variants.map((v) => readReport(Readable.from([JSON.stringify(v)]))));
    const parsed = variants.map((v) => parseReport(JSON.stringify(v)));

    // Assess
    expect(read).toEqual(variants.map(() => undefined));
    expect(parsed).toEqual(variants.map(() => undefined));
  });

  it('checks but leaves out the drift and alert records when asked (what drift needs of a previous run)', async () => {
    // Prepare
    const report = sampleReport({ drift: computeDrift(undefined, sampleReport()), alerts: [] });
    const text = render(report, 'json');
    const broken = text.replace('"appeared": [\n      {', '"appeared": [\n      {"surprise": 1,');

    // Act
    const slim = await readReport(Readable.from([text]), { skipRecords: true });
    const refused = await readReport(Readable.from([broken]), { skipRecords: true });

    // Assess
    const { drift: _drift, alerts: _alerts, ...rest } = report;
    expect(slim).toEqual(rest);
    expect(broken).not.toBe(text);
    expect(refused).toBeUndefined();
  });

  it('throws when the stream itself fails, rather than reading it as "no report"', async () => {
    // Prepare
    const failing = new Readable({
      read() {
        this.destroy(new Error('connection reset'));
      },
    });

    // Act
    const outcome = readReport(failing);

    // Assess
    await expect(outcome).rejects.toThrow('connection reset');
  });
});
