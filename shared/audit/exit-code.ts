/**
 * Exit codes of `oss-sse-guard audit` (DESIGN.md section 4): 0 every bucket compliant or exempt after
 * the run; 1 some remain non-compliant (or would be remediated, or are blocked); 2 usage or policy error;
 * 3 some buckets could not be checked (takes precedence: their state is unknown).
 */
import type { Report } from '../model.js';

export const EXIT = { ok: 0, noncompliant: 1, usage: 2, unchecked: 3 } as const;

export function exitCodeFor(report: Report): number {
  const s = report.summary.byStatus;
  if (s.error > 0) return EXIT.unchecked;
  if (s.noncompliant + s['would-remediate'] + s.blocked > 0) return EXIT.noncompliant;
  return EXIT.ok;
}
