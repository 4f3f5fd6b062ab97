/**
 * Exit code of `oss-sse-guard audit` for a report (DESIGN.md section 4): 0 every bucket compliant or
 * exempt after the run; 1 some remain non-compliant (or would be remediated, or are blocked); 3 some
 * buckets could not be checked (takes precedence: their state is unknown). The codes are the one table
 * of shared/exit-codes.ts; usage and policy errors (2) are the CLI runner's (cli/run.ts).
 */
import { EXIT } from '../exit-codes.js';
import type { Report } from '../model.js';

export function exitCodeFor(report: Report): number {
  const s = report.summary.byStatus;
  if (s.error > 0) return EXIT.unchecked;
  if (s.noncompliant + s['would-remediate'] + s.blocked > 0) return EXIT.notMet;
  return EXIT.ok;
}
