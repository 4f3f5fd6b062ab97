/**
 * The HTML report, pure: one self-contained file (no network: inline CSS, inline SVG, a little inline JS
 * pinned by a Content-Security-Policy hash) with the run's metadata, a summary chart, the drift when the
 * report carries one, and the findings table with a filter and sortable columns. Every value is escaped:
 * bucket names, reasons and key ids are untrusted.
 */
import { createHash } from 'node:crypto';
import type { Finding, FindingStatus, Report, ReportSummary } from '../model.js';
import { FINDING_STATUSES } from '../model.js';
import { describeConfig } from '../policy/levels.js';
import { DRIFT_SECTIONS, type Drift } from './drift.js';

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

/** The colour of each status, in the chart and the badges. */
export const STATUS_COLORS: Record<FindingStatus, string> = {
  compliant: '#2e7d32',
  remediated: '#00897b',
  exempt: '#78909c',
  'would-remediate': '#f9a825',
  noncompliant: '#c62828',
  blocked: '#6a1b9a',
  error: '#ef6c00',
};

/** Controls of the CIS Alibaba Cloud Foundations Benchmark v2.0 that findings map to. */
const CIS_TITLES: Record<string, string> = {
  '5.8': 'Server-side encryption is enabled on OSS buckets',
  '5.9': 'OSS buckets are encrypted with a customer-managed key (BYOK)',
};

const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
header,main{max-width:1200px;margin:0 auto;padding:16px 24px}header{background:#102a43;color:#fff;max-width:none}
header h1{margin:0 0 4px;font-size:20px}header p{margin:0;color:#bcccdc}code{font:12px ui-monospace,Menlo,monospace}
section{background:#fff;border:1px solid #d9e2ec;border-radius:6px;padding:12px 16px;margin:16px 0}
h2{font-size:16px;margin:0 0 8px}h3{font-size:14px;margin:12px 0 4px}
dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 16px;margin:0}dt{color:#627d98}dd{margin:0;word-break:break-all}
.warn{background:#fff3e0;border-color:#ef6c00}.cards{display:flex;flex-wrap:wrap;gap:8px;margin-bottom:8px}
.card{border:1px solid #d9e2ec;border-radius:6px;padding:6px 12px;background:#fff;cursor:pointer;font:inherit;text-align:left}
.card b{display:block;font-size:20px}.charts{display:flex;flex-wrap:wrap;gap:24px}svg text{font:12px system-ui,sans-serif;fill:#334e68}
.badge{display:inline-block;padding:1px 8px;border-radius:10px;color:#fff;font-size:12px;white-space:nowrap}
${FINDING_STATUSES.map((s) => `.s-${s}{background:${STATUS_COLORS[s]}}`).join('')}
.s-would-remediate{color:#1f2933}.controls{display:flex;gap:8px;align-items:center;margin-bottom:8px}
input,select{font:inherit;padding:4px 6px}table{border-collapse:collapse;width:100%}
th,td{border-bottom:1px solid #e4e7eb;padding:4px 6px;text-align:left;vertical-align:top}td{overflow-wrap:break-word}
td:nth-child(-n+3){white-space:nowrap}.headline{font-size:15px;margin:0 0 8px}
th button{font:inherit;font-weight:600;background:none;border:0;padding:0;cursor:pointer}
th[aria-sort=ascending] button::after{content:" \\25B2"}th[aria-sort=descending] button::after{content:" \\25BC"}
tbody tr:nth-child(even){background:#f8fafc}table.drift{table-layout:fixed}`;

// Filter rows by text and status; sort by a clicked column (a cell's data-sort wins over its text).
const SCRIPT = `(()=>{const t=document.getElementById('findings'),b=t.tBodies[0],rows=[...b.rows];
const q=document.getElementById('filter-text'),s=document.getElementById('filter-status'),n=document.getElementById('shown');
function apply(){const w=q.value.trim().toLowerCase(),st=s.value;let c=0;for(const r of rows){
const hit=(!st||r.dataset.status===st)&&(!w||r.textContent.toLowerCase().includes(w));r.hidden=!hit;if(hit)c++}n.textContent=String(c)}
q.addEventListener('input',apply);s.addEventListener('change',apply);
for(const c of document.querySelectorAll('[data-filter]'))c.addEventListener('click',()=>{s.value=c.dataset.filter;apply()});
const heads=[...t.tHead.rows[0].cells];heads.forEach((th,i)=>th.querySelector('button').addEventListener('click',()=>{
const asc=th.getAttribute('aria-sort')!=='ascending';for(const x of heads)x.removeAttribute('aria-sort');
th.setAttribute('aria-sort',asc?'ascending':'descending');const k=r=>r.cells[i].dataset.sort??r.cells[i].textContent;
rows.sort((x,y)=>k(x).localeCompare(k(y),undefined,{numeric:true})*(asc?1:-1));b.append(...rows)}));apply()})();`;

const sha256b64 = (text: string) => createHash('sha256').update(text, 'utf8').digest('base64');
const CSP = `default-src 'none'; style-src 'sha256-${sha256b64(STYLE)}'; script-src 'sha256-${sha256b64(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;

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
  const controls = [...new Set(report.findings.flatMap((f) => f.cis ?? []))].sort();
  if (controls.length === 0) return '';
  const items = controls.map((c) => {
    const inScope = report.findings.filter((f) => f.cis?.includes(c));
    const pass = inScope.filter((f) => f.status === 'compliant' || f.status === 'remediated').length;
    const exempt = inScope.filter((f) => f.status === 'exempt').length;
    const fail = inScope.length - pass - exempt;
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

function driftHtml(d: Drift): string {
  if (!d.previousRunId)
    return `<section id="drift"><h2>Changes</h2><p>No previous report: this run is the baseline.</p></section>`;
  const parts = DRIFT_SECTIONS.filter(([name]) => d[name].length > 0).map(([name, title]) => {
    const rows = d[name].map(
      (e) =>
        `<tr><td>${h(e.bucket)}</td><td>${h(e.region)}</td><td>${e.from ? badge(e.from) : '(new)'} &rarr; ${e.to ? badge(e.to) : '(gone)'}</td><td>${h(e.reason)}</td></tr>`,
    );
    return `<h3>${title} (${d[name].length})</h3><table class="drift"><tbody>${rows.join('')}</tbody></table>`;
  });
  const body = parts.length ? parts.join('') : '<p>No changes.</p>';
  return `<section id="drift"><h2>Changes since run <code>${h(d.previousRunId)}</code></h2>${body}<p>${count(d.unchangedProblems)} problems unchanged.</p></section>`;
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

function findingsTable(report: Report): string {
  const head = COLUMNS.map(([name]) => `<th scope="col"><button type="button">${name}</button></th>`).join(
    '',
  );
  const rows = report.findings.map((f) => {
    const cells = COLUMNS.map(
      ([, cell, sort]) => `<td${sort ? ` data-sort="${h(sort(f))}"` : ''}>${cell(f)}</td>`,
    );
    return `<tr data-status="${h(f.status)}">${cells.join('')}</tr>`;
  });
  const options = FINDING_STATUSES.map((s) => `<option value="${s}">${s}</option>`).join('');
  return `<section><h2>Findings</h2><div class="controls"><input id="filter-text" type="search" placeholder="Filter buckets, reasons…" aria-label="Filter text"><select id="filter-status" aria-label="Status"><option value="">all statuses</option>${options}</select><span>showing <b id="shown">${report.findings.length}</b> of ${report.findings.length}</span></div><table id="findings"><thead><tr>${head}</tr></thead><tbody>${rows.join('')}</tbody></table></section>`;
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

/** Renders the whole report as one self-contained HTML document. */
export function renderHtml(input: Report): string {
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
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<title>OSS encryption audit ${h(report.runId)}</title><style>${STYLE}</style></head>
<body><header><h1>OSS encryption audit</h1><p>${h(report.tool.name)} ${h(report.tool.version)} &middot; run <code>${h(report.runId)}</code> &middot; ${h(report.mode)}</p></header>
<main>${metadata(report)}<section id="summary"><h2>Summary</h2>${headline}<div class="cards">${cards.join('')}</div>
<div class="charts">${statusChart(report)}${regionChart(report)}</div>${cisSummary(report)}</section>
${report.drift ? driftHtml(report.drift) : ''}${findingsTable(report)}</main>
<script>${SCRIPT}</script></body></html>
`;
}
