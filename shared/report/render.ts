/**
 * Rendering, pure: one report model, several formats. `renderChunks(report, format)` yields the text in
 * pieces (a row or a finding at a time), so a 100,000-bucket report can be written and hashed without
 * ever holding the whole text; `render(report, format) -> string` is the same pieces joined.
 */
import type { Finding, Report } from '../model.js';
import { FINDING_STATUSES } from '../model.js';
import { describeConfig } from '../policy/levels.js';
import { escapeControl } from '../safe-text.js';
import { accountsText } from './accounts.js';
import { renderDriftText } from './drift.js';
import { htmlChunks } from './html.js';
import { jsonChunks } from './json-chunks.js';
import { mdCode, mdText } from './md-escape.js';

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

const ACCOUNT: [string, (f: Finding) => string] = ['account', (f) => f.accountName ?? f.accountId ?? ''];

/** The columns of a report: organization reports lead with the account. */
function columnsOf(report: Report): Array<[string, (f: Finding) => string]> {
  return report.organization ? [ACCOUNT, ...COLUMNS] : COLUMNS;
}

/**
 * The table's cells of one finding, whitespace folded, control and escape sequences written visibly (a
 * bucket name or an error message must not clear the screen or draw rows of its own), the reason cut to
 * `maxReason` characters.
 */
function tableCells(f: Finding, maxReason: number, columns = COLUMNS): string[] {
  return columns.map(([name, get]) => {
    const v = escapeControl(get(f).replace(/\s+/g, ' '));
    return name === 'reason' && v.length > maxReason ? `${v.slice(0, maxReason - 1)}…` : v;
  });
}

/**
 * Fixed-width text rows: the header, then one line per row, every column as wide as its widest cell,
 * the last column unpadded. Two passes over `rows()` (widths, then lines), so no row is kept between them.
 */
export function* fixedWidthLines(header: string[], rows: () => Iterable<string[]>): Generator<string> {
  const widths = header.map((h) => h.length);
  for (const cells of rows()) {
    cells.forEach((c, i) => {
      widths[i] = Math.max(widths[i] ?? 0, c.length);
    });
  }
  const line = (cells: string[]) =>
    `${cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd()}\n`;
  yield line(header);
  for (const cells of rows()) yield line(cells);
}

/** The fixed-width text table in pieces: the summary first, then one row per bucket. */
export function* tableChunks(report: Report, opts: { maxReason?: number } = {}): Generator<string> {
  const maxReason = opts.maxReason ?? 90;
  const columns = columnsOf(report);
  const header = columns.map(([name]) => name.toUpperCase());
  const mode = report.mode === 'dry-run' ? 'dry run (nothing changed)' : 'remediate';
  const t = escapeControl;
  yield `oss-sse-guard ${t(report.tool.version)} audit ${t(report.runId)}  mode: ${mode}  policy: ${t(report.policy.source)}\n`;
  yield `${countsLine(report)}\n`;
  if (report.incomplete)
    yield `incomplete: ${report.incomplete.unchecked} buckets not checked (${t(report.incomplete.reason)})\n`;
  yield accountsText(report, 'table');
  yield '\n';
  yield* fixedWidthLines(header, function* () {
    for (const f of report.findings) yield tableCells(f, maxReason, columns);
  });
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

/** Organization reports append the account to every row. */
const CSV_ACCOUNT_HEADER = ['account_id', 'account_name'];

function csvRow(f: Finding, org: boolean): string {
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
    ...(org ? [f.accountId ?? '', f.accountName ?? ''] : []),
  ]
    .map(csvCell)
    .join(',');
}

/** RFC 4180 CSV in pieces: the header, then one CRLF-terminated row per bucket. */
export function* csvChunks(report: Report): Generator<string> {
  const org = report.organization !== undefined;
  yield `${[...CSV_HEADER, ...(org ? CSV_ACCOUNT_HEADER : [])].join(',')}\r\n`;
  for (const f of report.findings) yield `${csvRow(f, org)}\r\n`;
}

/** The findings as RFC 4180 CSV, one row per bucket. */
export function renderCsv(report: Report): string {
  return joined(csvChunks(report));
}

/** Markdown in pieces: run metadata, counts, then one table row per bucket, then the drift. */
export function* markdownChunks(report: Report): Generator<string> {
  const head = [
    `# OSS encryption audit ${mdText(report.runId)}`,
    '',
    `- Mode: ${mdText(report.mode)}`,
    `- Policy: ${mdCode(report.policy.source)} (sha256 ${mdCode(report.policy.sha256.slice(0, 12))})`,
    `- Started: ${mdText(report.startedAt)}, finished: ${mdText(report.finishedAt)}`,
    `- ${countsLine(report)}`,
    '',
    '| status | count |',
    '| --- | ---: |',
    ...FINDING_STATUSES.map((s) => `| ${s} | ${report.summary.byStatus[s]} |`),
  ];
  const columns = columnsOf(report);
  yield `${head.join('\n')}\n`;
  yield accountsText(report, 'md');
  yield `\n| ${columns.map(([name]) => name).join(' | ')} |\n| ${columns.map(() => '---').join(' | ')} |\n`;
  for (const f of report.findings) yield `| ${columns.map(([, get]) => mdText(get(f))).join(' | ')} |\n`;
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
