import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { CSV_HEADER, EXTENSIONS, FORMATS, render } from '../../shared/report/render.js';
import { HOSTILE_REASON, sampleReport } from '../report/sample-report.js';

describe('report formats from one model', () => {
  it('renders every format from the same report and names every bucket in each', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const outputs = FORMATS.map((format) => [format, render(report, format)] as const);

    // Assess
    expect(FORMATS).toContain('html');
    expect(EXTENSIONS.html).toBe('html');
    for (const [format, text] of outputs) {
      for (const f of report.findings) expect(text, `${format} names ${f.bucket}`).toContain(f.bucket);
    }
  });

  it('round-trips the JSON report exactly', () => {
    // Prepare
    const report = sampleReport({ incomplete: { reason: 'deadline', unchecked: 1 } });

    // Act
    const parsed = JSON.parse(render(report, 'json'));

    // Assess
    expect(parsed).toEqual(report);
    expect(parsed.schemaVersion).toBe(1);
  });

  it('writes one CSV row per bucket that a CSV parser reads back with commas, quotes and newlines intact', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const rows: string[][] = parse(render(report, 'csv'), { relax_column_count: false });

    // Assess
    expect(rows).toHaveLength(report.findings.length + 1);
    expect(rows[0]).toEqual(CSV_HEADER);
    const reasonCol = CSV_HEADER.indexOf('reason');
    const web = rows.find((r) => r[0] === 'web-assets');
    expect(web?.[reasonCol]).toBe(HOSTILE_REASON);
    expect(rows.map((r) => r[0])).toEqual(['bucket', ...report.findings.map((f) => f.bucket)]);
  });

  it('neutralises CSV cells that a spreadsheet would run as formulas', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const rows: string[][] = parse(render(report, 'csv'));

    // Assess
    const rule = CSV_HEADER.indexOf('rule_id');
    const reason = CSV_HEADER.indexOf('reason');
    const byBucket = new Map(rows.map((r) => [r[0], r]));
    expect(byBucket.get('web-assets')?.[rule]).toBe(`'=HYPERLINK("http://evil.example","x")`);
    expect(byBucket.get('team-a-uploads')?.[rule]).toBe(`'+sum`);
    expect(byBucket.get('team-a-uploads')?.[reason]).toMatch(/^'-1 is/);
    expect(byBucket.get('finance-reports')?.[rule]).toBe(`'@cmd`);
    for (const cell of rows.flat()) expect(cell).not.toMatch(/^[=+\-@]/);
  });

  it('keeps the Markdown table one row per bucket with seven cells despite pipes and newlines', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const md = render(report, 'md');

    // Assess
    const lines = md.split('\n');
    const header = lines.findIndex((l) => l.startsWith('| bucket |'));
    const body = lines.slice(header + 2).filter((l) => l.startsWith('|'));
    expect(body).toHaveLength(report.findings.length);
    for (const line of body) expect(line.split(/(?<!\\)\|/).length - 2).toBe(7);
  });

  it('shows the counts line and one table row per bucket in the terminal table', () => {
    // Prepare
    const report = sampleReport();

    // Act
    const lines = render(report, 'table').trimEnd().split('\n');

    // Assess
    expect(lines[1]).toBe(
      '7 buckets: compliant 1, remediated 1, would-remediate 1, noncompliant 1, exempt 1, blocked 1, error 1',
    );
    expect(lines.slice(lines.findIndex((l) => l.startsWith('BUCKET')) + 1)).toHaveLength(7);
  });
});
