/**
 * Reading a stored report from pieces (readReport) or from its text (parseReport): the same report as
 * JSON.parse and the report schema give, wherever the bytes are cut; undefined for text that is not JSON
 * or not a valid report; validation as each finding arrives.
 */
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { Report } from '../../shared/model.js';
import { computeDrift } from '../../shared/report/drift.js';
import { readReport } from '../../shared/report/read-report.js';
import { render } from '../../shared/report/render.js';
import { reportSchema } from '../../shared/report/report-schema.js';
import { parseReport } from '../../shared/report/store.js';
import { sampleReport } from '../report/sample-report.js';

/** What reading must equal: JSON.parse, then the schema (undefined when either refuses). */
function reference(text: string): Report | undefined {
  try {
    const parsed = reportSchema.safeParse(JSON.parse(text));
    return parsed.success ? (parsed.data as Report) : undefined;
  } catch {
    return undefined;
  }
}

const cut = (bytes: Buffer, size: number) =>
  Array.from({ length: Math.ceil(bytes.length / size) }, (_, i) => bytes.subarray(i * size, i * size + size));

describe('reading a stored report: same as JSON.parse and the schema', () => {
  it('gives what JSON.parse and the schema give, wherever the bytes are cut', async () => {
    // Prepare
    const report = sampleReport({ drift: computeDrift(undefined, sampleReport()), alerts: [] });
    report.findings[1] = {
      ...report.findings[1],
      reason: 'escapes "q" \\ \u2028 \u{1F510} 年报 🔐',
    } as (typeof report.findings)[1];
    const compact = JSON.stringify(report);
    const texts = [
      render(report, 'json'),
      compact,
      ` \n${JSON.stringify(report, null, '\t').replaceAll('\n', '\r\n')}\r\n`,
    ];

    // Act
    const read = await Promise.all(
      texts.flatMap((t) =>
        [1, 2, 3, 7, 64, 4096].map((n) => readReport(Readable.from(cut(Buffer.from(t), n)))),
      ),
    );
    const parsed = texts.map((t) => parseReport(t));

    // Assess
    for (const got of read) expect(got).toEqual(report);
    expect(parsed).toEqual(texts.map(reference));
    expect(parsed).toEqual(texts.map(() => report));
  });

  it('keeps the last of duplicate keys and never touches a prototype, as JSON.parse does', async () => {
    // Prepare
    const text = render(sampleReport(), 'json');
    const duplicated = text.replace('"schemaVersion": 1', '"schemaVersion": 2, "schemaVersion": 1');
    const polluting = text.replace(
      '"schemaVersion": 1',
      '"schemaVersion": 1, "__proto__": {"polluted": true}',
    );
    const inFinding = text.replace('"bucket": "prod-logs"', '"__proto__": {"x": 1}, "bucket": "prod-logs"');

    // Act
    const read = await Promise.all(
      [duplicated, polluting, inFinding].map((t) => readReport(Readable.from([t]))),
    );

    // Assess
    expect(duplicated).not.toBe(text);
    expect(read).toEqual([reference(duplicated), reference(polluting), reference(inFinding)]);
    expect(read[0]).toEqual(sampleReport());
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses text that is not one JSON value, as JSON.parse does', async () => {
    // Prepare
    const good = render(sampleReport(), 'json');
    const bad = [
      '',
      '   ',
      '{',
      '[1,]',
      '{"a":1,}',
      '{"a" 1}',
      '1 2',
      'tru',
      '"abc',
      '{1:2}',
      `\uFEFF${good}`,
      good.slice(0, -2),
      good.slice(0, good.length / 2),
      `${good} {}`,
      `${good}}`,
      good.replace('"findings": [', '"findings": [,'),
    ];

    // Act
    const read = await Promise.all(bad.map((t) => readReport(Readable.from(cut(Buffer.from(t), 5)))));
    const parsed = bad.map((t) => parseReport(t));

    // Assess
    expect(bad.map(reference)).toEqual(bad.map(() => undefined));
    expect(read).toEqual(bad.map(() => undefined));
    expect(parsed).toEqual(bad.map(() => undefined));
  });

  it('refuses JSON that is not a report object', async () => {
    // Prepare
    const texts = ['12', 'null', '"report"', '[]', '{}', '[{"findings": []}]'];

    // Act
    const read = await Promise.all(texts.map((t) => readReport(Readable.from([t]))));

    // Assess
    expect(read).toEqual(texts.map(() => undefined));
    expect(texts.map((t) => parseReport(t))).toEqual(texts.map(() => undefined));
  });

  it('stops reading at the first finding that breaks the schema', async () => {
    // Prepare
    const good = JSON.parse(render(sampleReport(), 'json')) as Record<string, unknown>;
    const findings = good.findings as Array<Record<string, unknown>>;
    const text = JSON.stringify({ ...good, findings: [{ ...findings[0], status: 'fine' }, ...findings] });
    const bad = text.indexOf('"fine"');
    let pulled = 0;
    async function* pieces() {
      for (let i = 0; i < text.length; i += 64) {
        pulled += 1;
        yield text.slice(i, i + 64);
      }
    }

    // Act
    const read = await readReport(pieces());

    // Assess
    expect(read).toBeUndefined();
    expect(pulled).toBeLessThan(text.length / 64 - 2);
    expect(pulled * 64).toBeLessThan(bad + 64 + JSON.stringify(findings[0]).length + 64);
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
