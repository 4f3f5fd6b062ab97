/**
 * Rendering, pure: one report model, several formats. `render(report, format) -> string`.
 */
import type { Finding, Report } from '../model.js';
import { FINDING_STATUSES } from '../model.js';
import { describeConfig } from '../policy/levels.js';
import { renderDriftText } from './drift.js';
import { renderHtml } from './html.js';

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

/** A fixed-width text table for terminals: the summary first, then one row per bucket. */
export function renderTable(report: Report, opts: { maxReason?: number } = {}): string {
  const maxReason = opts.maxReason ?? 90;
  const rows = report.findings.map((f) =>
    COLUMNS.map(([name, get]) => {
      const v = get(f).replace(/\s+/g, ' ');
      return name === 'reason' && v.length > maxReason ? `${v.slice(0, maxReason - 1)}…` : v;
    }),
  );
  const header = COLUMNS.map(([name]) => name.toUpperCase());
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  const mode = report.mode === 'dry-run' ? 'dry run (nothing changed)' : 'remediate';
  const out = [
    `oss-sse-guard ${report.tool.version} audit ${report.runId}  mode: ${mode}  policy: ${report.policy.source}`,
    countsLine(report),
  ];
  if (report.incomplete)
    out.push(`incomplete: ${report.incomplete.unchecked} buckets not checked (${report.incomplete.reason})`);
  out.push('', line(header), ...rows.map(line));
  if (report.drift) out.push('', renderDriftText(report.drift, 'table').trimEnd());
  return `${out.join('\n')}\n`;
}

export function renderJson(report: Report): string {
  return `${JSON.stringify(report, null, 2)}\n`;
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
];

export function renderCsv(report: Report): string {
  const rows = report.findings.map((f) =>
    [
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
    ].map(csvCell),
  );
  return [CSV_HEADER, ...rows]
    .map((r) => r.join(','))
    .join('\r\n')
    .concat('\r\n');
}

function mdCell(value: string): string {
  return value.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
}

export function renderMarkdown(report: Report): string {
  const out = [
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
    ...report.findings.map((f) => `| ${COLUMNS.map(([, get]) => mdCell(get(f))).join(' | ')} |`),
  ];
  if (report.drift) out.push('', renderDriftText(report.drift, 'md').trimEnd());
  return `${out.join('\n')}\n`;
}

export function render(report: Report, format: Format): string {
  switch (format) {
    case 'table':
      return renderTable(report);
    case 'json':
      return renderJson(report);
    case 'csv':
      return renderCsv(report);
    case 'md':
      return renderMarkdown(report);
    case 'html':
      return renderHtml(report);
  }
}
