/**
 * The per-account picture of an organization report (pure): counts per account, worst first — accounts
 * that could not be audited, then those with the most errors, problems (noncompliant, blocked,
 * would-remediate), then by name.
 */
import { type AccountSummary, FINDING_STATUSES, type Finding, type FindingStatus } from '../model.js';

const PROBLEMS: FindingStatus[] = ['noncompliant', 'blocked', 'would-remediate'];

export function accountSummaries(
  findings: readonly Finding[],
  accountErrors: ReadonlyMap<string, AccountSummary['error']> = new Map(),
): AccountSummary[] {
  const byAccount = new Map<string, AccountSummary>();
  for (const f of findings) {
    if (f.accountId === undefined) continue;
    let s = byAccount.get(f.accountId);
    if (!s) {
      const byStatus = Object.fromEntries(FINDING_STATUSES.map((x) => [x, 0])) as AccountSummary['byStatus'];
      s = { accountId: f.accountId, accountName: f.accountName ?? '', total: 0, byStatus };
      const error = accountErrors.get(f.accountId);
      if (error) s.error = error;
      byAccount.set(f.accountId, s);
    }
    s.total += 1;
    s.byStatus[f.status] += 1;
  }
  const problems = (s: AccountSummary) => PROBLEMS.reduce((n, st) => n + s.byStatus[st], 0);
  return [...byAccount.values()].sort(
    (a, b) =>
      Number(b.error !== undefined) - Number(a.error !== undefined) ||
      b.byStatus.error - a.byStatus.error ||
      problems(b) - problems(a) ||
      a.accountName.localeCompare(b.accountName) ||
      a.accountId.localeCompare(b.accountId),
  );
}
