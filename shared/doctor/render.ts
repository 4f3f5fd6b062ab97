/** The doctor checklist as text: one line per check, grouped by section, the fix under each missing one. */
import type { CheckStatus, DoctorReport } from './types.js';

const MARK: Record<CheckStatus, string> = {
  ok: '[ok]     ',
  missing: '[MISSING]',
  unverified: '[?]      ',
  info: '[i]      ',
};

export function renderDoctor(report: DoctorReport, grantCommand: string): string {
  const out: string[] = [];
  let section = '';
  for (const c of report.checks) {
    if (c.section !== section) {
      section = c.section;
      out.push('', `${section}:`);
    }
    out.push(`  ${MARK[c.status]} ${c.title}`);
    if (c.grant && c.status !== 'ok') out.push(`             grant: ${c.grant}  (${grantCommand})`);
  }
  const missing = report.checks.filter((c) => c.status === 'missing').length;
  const unverified = report.checks.filter((c) => c.status === 'unverified').length;
  out.push(
    '',
    report.ready
      ? `ready${unverified ? ` (${unverified} permissions cannot be checked without a change: see [?])` : ''}`
      : `NOT READY: ${missing} missing${unverified ? `, ${unverified} not verifiable` : ''}`,
    '',
  );
  return out.join('\n');
}
