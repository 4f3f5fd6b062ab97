/**
 * The per-account picture of an organization report (pure rendering): one line or row per member
 * account, worst first (the order of `report.organization.accounts`), with its counts, the drift since
 * the last organization run and, for an account that could not be audited, why.
 */
import type { Report } from '../model.js';
import { driftByAccount } from './drift.js';
import { STATUS_COLORS } from './html-assets.js';

const label = (a: { accountId: string; accountName: string }) =>
  a.accountName ? `${a.accountName} (${a.accountId})` : a.accountId;

interface Row {
  account: string;
  total: number;
  ok: number;
  attention: number;
  errors: number;
  drift: string;
  note: string;
}

function rows(report: Report): Row[] {
  // A baseline run (no previous report) has no drift worth showing per account.
  const drift = report.drift?.previousRunId ? driftByAccount(report.drift) : new Map();
  return (report.organization?.accounts ?? []).map((a) => {
    const s = a.byStatus;
    const d = drift.get(a.accountId);
    return {
      account: label(a),
      total: a.total,
      ok: s.compliant + s.remediated + s.exempt,
      attention: s.noncompliant + s.blocked + s['would-remediate'],
      errors: s.error,
      drift: d
        ? `+${d.becameNoncompliant} worse, ${d.fixed} fixed, ${d.appeared} new, ${d.disappeared} gone`
        : '',
      note: a.error ? `not audited: ${a.error.code}` : '',
    };
  });
}

/** Text lines for the table and Markdown formats; '' for a single-account report. */
export function accountsText(report: Report, format: 'table' | 'md'): string {
  if (!report.organization) return '';
  const list = rows(report);
  const skipped = report.organization.skipped;
  if (format === 'md') {
    const out = [
      '',
      `## Accounts (${list.length} audited, ${skipped.length} skipped)`,
      '',
      '| account | buckets | ok | attention | errors | drift | note |',
      '| --- | ---: | ---: | ---: | ---: | --- | --- |',
      ...list.map(
        (r) =>
          `| ${r.account} | ${r.total} | ${r.ok} | ${r.attention} | ${r.errors} | ${r.drift} | ${r.note} |`,
      ),
      ...skipped.map((s) => `| ${label(s)} | 0 | 0 | 0 | 0 |  | skipped: ${s.reason} |`),
      '',
    ];
    return `${out.join('\n')}\n`;
  }
  const width = Math.max(7, ...list.map((r) => r.account.length));
  const lines = [
    `accounts: ${list.length} audited, ${skipped.length} skipped (worst first)`,
    ...list.map(
      (r) =>
        `  ${r.account.padEnd(width)}  ${String(r.total).padStart(6)} buckets  ok ${r.ok}  attention ${r.attention}  errors ${r.errors}${r.drift ? `  drift ${r.drift}` : ''}${r.note ? `  ${r.note}` : ''}`,
    ),
    ...skipped.map((s) => `  ${label(s).padEnd(width)}  skipped: ${s.reason}`),
  ];
  return `${lines.join('\n')}\n`;
}

/**
 * The HTML section (an SVG bar per account: ok / attention / errors; SVG attributes, as the report's CSP
 * allows no inline styles), or '' for a single-account report. `h` escapes text (html.ts's escapeHtml).
 */
export function accountsHtml(report: Report, h: (s: string) => string): string {
  if (!report.organization) return '';
  const body = rows(report)
    .map((r) => {
      const w = (n: number) => (r.total ? (n / r.total) * 160 : 0);
      const parts: [number, string][] = [
        [w(r.ok), STATUS_COLORS.compliant],
        [w(r.attention), STATUS_COLORS.noncompliant],
        [w(r.errors), STATUS_COLORS.error],
      ];
      let x = 0;
      const rects = parts
        .map(([width, fill]) => {
          const rect = `<rect x="${x.toFixed(1)}" y="0" width="${width.toFixed(1)}" height="12" fill="${fill}"/>`;
          x += width;
          return rect;
        })
        .join('');
      const bar = `<svg role="img" aria-label="ok ${r.ok}, attention ${r.attention}, errors ${r.errors}" width="160" height="12">${rects}</svg>`;
      return `<tr><td>${h(r.account)}</td><td>${r.total}</td><td>${bar}</td><td>${r.ok}</td><td>${r.attention}</td><td>${r.errors}</td><td>${h(r.drift)}</td><td>${h(r.note)}</td></tr>`;
    })
    .join('');
  const skipped = report.organization.skipped.map((s) => `<li>${h(label(s))}: ${h(s.reason)}</li>`).join('');
  return `<section id="accounts"><h2>Accounts</h2><table class="accounts"><thead><tr><th>Account</th><th>Buckets</th><th>Picture</th><th>OK</th><th>Attention</th><th>Errors</th><th>Drift</th><th>Note</th></tr></thead><tbody>${body}</tbody></table>${skipped ? `<h3>Skipped</h3><ul>${skipped}</ul>` : ''}</section>`;
}
