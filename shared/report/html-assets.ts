/**
 * The HTML report's fixed parts: status colours, the inline stylesheet and script, and the
 * Content-Security-Policy that pins both by hash (the report loads nothing from the network).
 */
import { createHash } from 'node:crypto';
import type { FindingStatus } from '../model.js';
import { FINDING_STATUSES } from '../model.js';

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

/** The inline stylesheet (pinned by hash in the CSP). */
export const STYLE = `body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;color:#1f2933;background:#f5f7fa}
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

/**
 * The inline script (pinned by hash in the CSP): filter rows by text and status; sort by a clicked column
 * (a cell's data-sort wins over its text).
 */
export const SCRIPT = `(()=>{const t=document.getElementById('findings'),b=t.tBodies[0],rows=[...b.rows];
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
/** No network, no inline code but the two pinned by hash. */
export const CSP = `default-src 'none'; style-src 'sha256-${sha256b64(STYLE)}'; script-src 'sha256-${sha256b64(SCRIPT)}'; img-src data:; base-uri 'none'; form-action 'none'`;
