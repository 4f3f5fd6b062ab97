/**
 * The HTML report, pure: one self-contained file (no network: inline CSS, inline SVG, a little inline JS
 * pinned by a Content-Security-Policy hash) with the run's metadata, a summary chart, the drift when the
 * report carries one, and the findings table with a filter and sortable columns. Every value is escaped:
 * bucket names, reasons and key ids are untrusted.
 */
import type { Finding, FindingStatus, Report, ReportSummary } from '../model.js';
import { FINDING_STATUSES } from '../model.js';
import { describeConfig } from '../policy/levels.js';
import { accountsHtml } from './accounts.js';
import { DRIFT_SECTIONS, type Drift } from './drift.js';
import { CSP, SCRIPT, STATUS_COLORS, STYLE } from './html-assets.js';

export { STATUS_COLORS } from './html-assets.js';

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

/** Escapes text for HTML content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}
const h = escapeHtml;

/** A number fit to print: a report read back from storage is data, not trusted to be well-typed. */
const count = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** Controls of the CIS Alibaba Cloud Foundations Benchmark v2.0 that findings map to. */
const CIS_TITLES: Record<string, string> = {
  '5.8': 'Server-side encryption is enabled on OSS buckets',
  '5.9': 'OSS buckets are encrypted with a customer-managed key (BYOK)',
};

/** Findings ordered worst first, for the status sort key. */
const SEVERITY: FindingStatus[] = [
  'blocked',
  'error',
  'noncompliant',
  'would-remediate',
  'exempt',
  'remediated',
  'compliant',
];

function badge(status: FindingStatus): string {
  return `<span class="badge s-${h(status)}">${h(status)}</span>`;
}

function statusChart(report: Report): string {
  const max = Math.max(1, ...FINDING_STATUSES.map((s) => report.summary.byStatus[s]));
  const bars = FINDING_STATUSES.map((s, i) => {
    const n = report.summary.byStatus[s];
    const w = Math.round((n / max) * 260);
    const y = 8 + i * 24;
    return `<text x="112" y="${y + 13}" text-anchor="end">${h(s)}</text><rect x="120" y="${y}" width="${w}" height="18" rx="2" fill="${STATUS_COLORS[s]}"><title>${h(s)}: ${n}</title></rect><text x="${126 + w}" y="${y + 13}">${n}</text>`;
  });
  const height = 16 + FINDING_STATUSES.length * 24;
  return `<svg id="chart-status" role="img" aria-label="Findings by status" width="440" height="${height}" viewBox="0 0 440 ${height}">${bars.join('')}</svg>`;
}

function regionChart(report: Report): string {
  const regions = Object.keys(report.summary.byRegion).sort();
  const totals = regions.map((r) =>
    FINDING_STATUSES.reduce((a, s) => a + (report.summary.byRegion[r]?.[s] ?? 0), 0),
  );
  const max = Math.max(1, ...totals);
  const rows = regions.map((region, i) => {
    const y = 8 + i * 24;
    let x = 150;
    const segments = FINDING_STATUSES.map((s) => {
      const n = report.summary.byRegion[region]?.[s] ?? 0;
      if (n === 0) return '';
      const w = (n / max) * 240;
      const rect = `<rect x="${x.toFixed(1)}" y="${y}" width="${w.toFixed(1)}" height="18" fill="${STATUS_COLORS[s]}"><title>${h(region)} ${h(s)}: ${n}</title></rect>`;
      x += w;
      return rect;
    });
    return `<text x="142" y="${y + 13}" text-anchor="end">${h(region)}</text>${segments.join('')}<text x="${(x + 6).toFixed(1)}" y="${y + 13}">${totals[i] ?? 0}</text>`;
  });
  const legendY = 16 + regions.length * 24;
  const legend = FINDING_STATUSES.map((s, i) => {
    const x = 8 + (i % 4) * 128;
    const y = legendY + Math.floor(i / 4) * 18;
    return `<rect x="${x}" y="${y}" width="10" height="10" fill="${STATUS_COLORS[s]}"/><text x="${x + 14}" y="${y + 9}">${h(s)}</text>`;
  });
  const height = legendY + 40;
  return `<svg id="chart-region" role="img" aria-label="Findings by region, stacked by status" width="520" height="${height}" viewBox="0 0 520 ${height}">${rows.join('')}${legend.join('')}</svg>`;
}

function cisSummary(report: Report): string {
  // One pass over the findings: per control, how many pass, are exempt, or fail.
  const counts = new Map<string, { pass: number; exempt: number; total: number }>();
  for (const f of report.findings) {
    const cis = f.cis ?? [];
    for (const [i, c] of cis.entries()) {
      if (cis.indexOf(c) !== i) continue; // a control listed twice counts once
      const n = counts.get(c) ?? { pass: 0, exempt: 0, total: 0 };
      counts.set(c, n);
      n.total += 1;
      if (f.status === 'compliant' || f.status === 'remediated') n.pass += 1;
      else if (f.status === 'exempt') n.exempt += 1;
    }
  }
  if (counts.size === 0) return '';
  const items = [...counts.keys()].sort().map((c) => {
    const { pass, exempt, total } = counts.get(c) ?? { pass: 0, exempt: 0, total: 0 };
    const fail = total - pass - exempt;
    return `<li><b>CIS ${h(c)}</b> ${h(CIS_TITLES[c] ?? '')}: <span data-cis="${h(c)}">${pass} pass, ${fail} fail, ${exempt} exempt</span></li>`;
  });
  return `<h3>CIS Alibaba Cloud Foundations Benchmark v2.0</h3><ul>${items.join('')}</ul>`;
}

function metadata(report: Report): string {
  const ms = Date.parse(report.finishedAt) - Date.parse(report.startedAt);
  const rows: Array<[string, string]> = [
    ['Run', `<code>${h(report.runId)}</code>`],
    ['Mode', report.mode === 'dry-run' ? 'dry run (nothing was changed)' : 'remediate'],
    ['Policy', `<code>${h(report.policy.source)}</code>`],
    ['Policy SHA-256', `<code>${h(report.policy.sha256)}</code>`],
    ['Tool', `${h(report.tool.name)} ${h(report.tool.version)}`],
    ['Started', h(report.startedAt)],
    ['Finished', `${h(report.finishedAt)}${Number.isFinite(ms) ? ` (${(ms / 1000).toFixed(1)} s)` : ''}`],
  ];
  const dl = `<dl id="meta">${rows.map(([k, v]) => `<dt>${k}</dt><dd>${v}</dd>`).join('')}</dl>`;
  const inc = report.incomplete;
  const note = inc
    ? `<section class="warn" id="incomplete"><b>Incomplete run:</b> ${count(inc.unchecked)} buckets were not checked (${h(inc.reason)}); they are listed as errors.</section>`
    : '';
  return `${note}<section><h2>Run</h2>${dl}</section>`;
}

function* driftHtml(d: Drift): Generator<string> {
  if (!d.previousRunId) {
    yield `<section id="drift"><h2>Changes</h2><p>No previous report: this run is the baseline.</p></section>`;
    return;
  }
  yield `<section id="drift"><h2>Changes since run <code>${h(d.previousRunId)}</code></h2>`;
  let any = false;
  for (const [name, title] of DRIFT_SECTIONS) {
    if (d[name].length === 0) continue;
    any = true;
    yield `<h3>${title} (${d[name].length})</h3><table class="drift"><tbody>`;
    for (const e of d[name])
      yield `<tr><td>${h(e.bucket)}</td><td>${h(e.region)}</td><td>${e.from ? badge(e.from) : '(new)'} &rarr; ${e.to ? badge(e.to) : '(gone)'}</td><td>${h(e.reason)}</td></tr>`;
    yield '</tbody></table>';
  }
  if (!any) yield '<p>No changes.</p>';
  yield `<p>${count(d.unchangedProblems)} problems unchanged.</p></section>`;
}

const COLUMNS: Array<[string, (f: Finding) => string, ((f: Finding) => string)?]> = [
  ['Bucket', (f) => h(f.bucket)],
  ['Region', (f) => h(f.region)],
  ['Status', (f) => badge(f.status), (f) => String(SEVERITY.indexOf(f.status))],
  ['Observed', (f) => h(f.status === 'error' && !f.observed ? '?' : describeConfig(f.observed))],
  ['Required', (f) => h(f.requirement ?? describeConfig(f.required))],
  ['Rule', (f) => h(f.ruleId)],
  ['CIS', (f) => h((f.cis ?? []).join(', '))],
  ['Reason', (f) => h(f.reason)],
  [
    'Change / error',
    (f) =>
      [
        f.action ? `${h(describeConfig(f.action.from))} &rarr; ${h(describeConfig(f.action.to))}` : '',
        f.action?.requestId ? ` <code>${h(f.action.requestId)}</code>` : '',
        f.error ? `<code>${h(f.error.code)}</code> ${h(f.error.message)}` : '',
        f.error?.requestId ? ` <code>${h(f.error.requestId)}</code>` : '',
      ].join(''),
  ],
];

/** Organization reports add the account as the first column. */
const ACCOUNT_COLUMN: (typeof COLUMNS)[number] = ['Account', (f) => h(f.accountName ?? f.accountId ?? '')];

function* findingsTable(report: Report): Generator<string> {
  const columns = report.organization ? [ACCOUNT_COLUMN, ...COLUMNS] : COLUMNS;
  const head = columns
    .map(([name]) => `<th scope="col"><button type="button">${name}</button></th>`)
    .join('');
  const options = FINDING_STATUSES.map((s) => `<option value="${s}">${s}</option>`).join('');
  yield `<section><h2>Findings</h2><div class="controls"><input id="filter-text" type="search" placeholder="Filter buckets, reasons…" aria-label="Filter text"><select id="filter-status" aria-label="Status"><option value="">all statuses</option>${options}</select><span>showing <b id="shown">${report.findings.length}</b> of ${report.findings.length}</span></div><table id="findings"><thead><tr>${head}</tr></thead><tbody>`;
  for (const f of report.findings) {
    const cells = columns.map(
      ([, cell, sort]) => `<td${sort ? ` data-sort="${h(sort(f))}"` : ''}>${cell(f)}</td>`,
    );
    yield `<tr data-status="${h(f.status)}">${cells.join('')}</tr>`;
  }
  yield '</tbody></table></section>';
}

/** The summary with every count a finite number. */
function cleanSummary(summary: ReportSummary): ReportSummary {
  const byStatus = Object.fromEntries(FINDING_STATUSES.map((s) => [s, count(summary.byStatus?.[s])]));
  const byRegion = Object.fromEntries(
    Object.entries(summary.byRegion ?? {}).map(([r, c]) => [
      r,
      Object.fromEntries(FINDING_STATUSES.map((s) => [s, count(c?.[s])])),
    ]),
  );
  return { total: count(summary.total), byStatus, byRegion } as ReportSummary;
}

/**
 * The whole report as one self-contained HTML document, in pieces (a table row at a time), so a large
 * report can be written without holding it; `renderHtml` joins them.
 */
export function* htmlChunks(input: Report): Generator<string> {
  const report = { ...input, summary: cleanSummary(input.summary) };
  const cards = [
    `<button type="button" class="card" data-filter=""><span>total</span><b id="count-total">${report.summary.total}</b></button>`,
    ...FINDING_STATUSES.map(
      (s) =>
        `<button type="button" class="card" data-filter="${s}"><span class="badge s-${s}">${s}</span><b id="count-${s}">${report.summary.byStatus[s]}</b></button>`,
    ),
  ];
  const s = report.summary.byStatus;
  const good = s.compliant + s.remediated;
  const attention = s.noncompliant + s.blocked + s.error + s['would-remediate'];
  const pct = report.summary.total ? Math.round((good / report.summary.total) * 100) : 100;
  const headline = `<p class="headline" id="headline"><b>${good} of ${report.summary.total}</b> buckets compliant (${pct} %), ${s.exempt} exempt, <b>${attention}</b> need attention.</p>`;
  yield `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>OSS encryption audit ${h(report.runId)}</title><style>${STYLE}</style></head>
<body><header><h1>OSS encryption audit</h1><p>${h(report.tool.name)} ${h(report.tool.version)} &middot; run <code>${h(report.runId)}</code> &middot; ${h(report.mode)}</p></header>
<main>${metadata(report)}<section id="summary"><h2>Summary</h2>${headline}<div class="cards">${cards.join('')}</div>
<div class="charts">${statusChart(report)}${regionChart(report)}</div>${cisSummary(report)}</section>
${accountsHtml(report, h)}`;
  if (report.drift) yield* driftHtml(report.drift);
  yield* findingsTable(report);
  yield `</main>
<script>${SCRIPT}</script></body></html>
`;
}

/** Renders the whole report as one self-contained HTML document. */
export function renderHtml(input: Report): string {
  const parts: string[] = [];
  for (const c of htmlChunks(input)) parts.push(c);
  return parts.join('');
}
