/**
 * Rendering, pure: one report model, several formats. `renderChunks(report, format)` yields the text in
 * pieces (a row or a finding at a time), so a 100,000-bucket report can be written and hashed without
 * ever holding the whole text; `render(report, format) -> string` is the same pieces joined.
 */
import type { Finding, Report } from '../model.js';
import { FINDING_STATUSES } from '../model.js';
import { describeConfig } from '../policy/levels.js';
import { renderDriftText } from './drift.js';
import { htmlChunks } from './html.js';
import { jsonChunks } from './json-chunks.js';

export const FORMATS = ['table', 'json', 'csv', 'md', 'html'] as const;
export type Format = (typeof FORMATS)[number];

/** The file extension of each stored format (`table` is for terminals and is stored as text). */
export const EXTENSIONS: Record<Format, string> = {
  table: 'txt',
  json: 'json',
  csv: 'csv',
  md: 'md',
  html: 'html',
};

const COLUMNS: Array<[string, (f: Finding) => string]> = [
  ['bucket', (f) => f.bucket],
  ['region', (f) => f.region],
  ['status', (f) => f.status],
  ['observed', (f) => (f.status === 'error' && !f.observed ? '?' : describeConfig(f.observed))],
  ['required', (f) => f.requirement ?? describeConfig(f.required)],
  ['rule', (f) => f.ruleId],
  ['reason', (f) => f.reason],
];

function countsLine(report: Report): string {
  const parts = FINDING_STATUSES.filter((s) => report.summary.byStatus[s] > 0).map(
    (s) => `${s} ${report.summary.byStatus[s]}`,
  );
  return `${report.summary.total} buckets: ${parts.join(', ') || 'none'}`;
}

/** The table's cells of one finding, whitespace folded, the reason cut to `maxReason` characters. */
function tableCells(f: Finding, maxReason: number): string[] {
  return COLUMNS.map(([name, get]) => {
    const v = get(f).replace(/\s+/g, ' ');
    return name === 'reason' && v.length > maxReason ? `${v.slice(0, maxReason - 1)}…` : v;
  });
}

/**
 * The fixed-width text table in pieces: the summary first, then one row per bucket. Two passes over the
 * findings (widths, then rows), so no row is kept between them.
 */
export function* tableChunks(report: Report, opts: { maxReason?: number } = {}): Generator<string> {
  const maxReason = opts.maxReason ?? 90;
  const header = COLUMNS.map(([name]) => name.toUpperCase());
  const widths = header.map((h) => h.length);
  for (const f of report.findings) {
    tableCells(f, maxReason).forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}\n`;
  const mode = report.mode === 'dry-run' ? 'dry run (nothing changed)' : 'remediate';
  yield `oss-sse-guard ${report.tool.version} audit ${report.runId}  mode: ${mode}  policy: ${report.policy.source}\n`;
  yield `${countsLine(report)}\n`;
  if (report.incomplete)
    yield `incomplete: ${report.incomplete.unchecked} buckets not checked (${report.incomplete.reason})\n`;
  yield '\n';
  yield line(header);
  for (const f of report.findings) yield line(tableCells(f, maxReason));
  if (report.drift) yield `\n${renderDriftText(report.drift, 'table').trimEnd()}\n`;
}

/** A fixed-width text table for terminals: the summary first, then one row per bucket. */
export function renderTable(report: Report, opts: { maxReason?: number } = {}): string {
  return joined(tableChunks(report, opts));
}

/** The JSON report in pieces: `JSON.stringify(report, null, 2)` and a final newline. */
function* jsonReportChunks(report: Report): Generator<string> {
  yield* jsonChunks(report);
  yield '\n';
}

/** The report as pretty-printed JSON (2 spaces) with a final newline: what `latest.json` holds. */
export function renderJson(report: Report): string {
  return joined(renderChunks(report, 'json'));
}

/** A cell made safe for spreadsheets (no formula injection) and quoted per RFC 4180. */
export function csvCell(value: string): string {
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export const CSV_HEADER = [
  'bucket',
  'region',
  'status',
  'observed_algorithm',
  'observed_kms_key_id',
  'observed_kms_data_encryption',
  'required_algorithm',
  'required_kms_key_id',
  'required_kms_data_encryption',
  'requirement',
  'rule_id',
  'reason',
  'cis',
  'action_request_id',
  'error_code',
  'error_request_id',
  'key_state',
  'key_origin',
  'key_protection',
];

function csvRow(f: Finding): string {
  return [
    f.bucket,
    f.region,
    f.status,
    f.observed?.algorithm ?? '',
    f.observed?.kmsKeyId ?? '',
    f.observed?.kmsDataEncryption ?? '',
    f.required?.algorithm ?? '',
    f.required?.kmsKeyId ?? '',
    f.required?.kmsDataEncryption ?? '',
    f.requirement ?? '',
    f.ruleId,
    f.reason,
    (f.cis ?? []).join(' '),
    f.action?.requestId ?? '',
    f.error?.code ?? '',
    f.error?.requestId ?? '',
    f.keyState ?? '',
    f.keyOrigin ?? '',
    f.keyProtection ?? '',
  ]
    .map(csvCell)
    .join(',');
}

/** RFC 4180 CSV in pieces: the header, then one CRLF-terminated row per bucket. */
export function* csvChunks(report: Report): Generator<string> {
  yield `${CSV_HEADER.join(',')}\r\n`;
  for (const f of report.findings) yield `${csvRow(f)}\r\n`;
}

/** The findings as RFC 4180 CSV, one row per bucket. */
export function renderCsv(report: Report): string {
  return joined(csvChunks(report));
}

function mdCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

/** Markdown in pieces: run metadata, counts, then one table row per bucket, then the drift. */
export function* markdownChunks(report: Report): Generator<string> {
  const head = [
    `# OSS encryption audit ${report.runId}`,
    '',
    `- Mode: ${report.mode}`,
    `- Policy: \`${report.policy.source}\` (sha256 \`${report.policy.sha256.slice(0, 12)}\`)`,
    `- Started: ${report.startedAt}, finished: ${report.finishedAt}`,
    `- ${countsLine(report)}`,
    '',
    '| status | count |',
    '| --- | ---: |',
    ...FINDING_STATUSES.map((s) => `| ${s} | ${report.summary.byStatus[s]} |`),
    '',
    '| bucket | region | status | observed | required | rule | reason |',
    '| --- | --- | --- | --- | --- | --- | --- |',
  ];
  yield `${head.join('\n')}\n`;
  for (const f of report.findings) yield `| ${COLUMNS.map(([, get]) => mdCell(get(f))).join(' | ')} |\n`;
  if (report.drift) yield `\n${renderDriftText(report.drift, 'md').trimEnd()}\n`;
}

/** The report as Markdown: metadata, counts, the findings table, then the drift. */
export function renderMarkdown(report: Report): string {
  return joined(markdownChunks(report));
}

/**
 * The report in `format`, in pieces whose concatenation is `render(report, format)`. A generator: each
 * call renders afresh, so a writer that must send the text again (a retried upload) calls it again.
 */
export function renderChunks(report: Report, format: Format): Iterable<string> {
  switch (format) {
    case 'table':
      return tableChunks(report);
    case 'json':
      return jsonReportChunks(report);
    case 'csv':
      return csvChunks(report);
    case 'md':
      return markdownChunks(report);
    case 'html':
      return htmlChunks(report);
  }
}

/** The pieces joined into one string. */
function joined(chunks: Iterable<string>): string {
  const parts: string[] = [];
  for (const c of chunks) parts.push(c);
  return parts.join('');
}

/** The whole report in `format` as one string (the CLI's stdout, tests). */
export function render(report: Report, format: Format): string {
  return joined(renderChunks(report, format));
}
