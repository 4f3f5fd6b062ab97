/**
 * The organization report's rendering (pure): the account on every finding in each format, the
 * per-account summary worst first, drift counted per account, and alerts that name the account.
 */
import { describe, expect, it } from 'vitest';
import { alertsForRun } from '../../shared/alerts/messages.js';
import type { Finding, Report } from '../../shared/model.js';
import { accountErrorFinding, organizationReport } from '../../shared/org/run.js';
import { computeDrift } from '../../shared/report/drift.js';
import { render } from '../../shared/report/render.js';
import { reportSchema } from '../../shared/report/report-schema.js';

const finding = (
  bucket: string,
  status: Finding['status'],
  accountId: string,
  accountName: string,
): Finding => ({
  bucket,
  region: 'cn-hangzhou',
  status,
  observed: null,
  required: { algorithm: 'AES256' },
  ruleId: 'defaults',
  reason: status === 'compliant' ? 'meets at least sse-oss' : 'no default encryption',
  accountId,
  accountName,
});

function orgReport(runId: string, findings: Finding[][]): Report {
  const members = [
    { accountId: '111', accountName: 'alpha' },
    { accountId: '222', accountName: 'beta' },
    { accountId: '333', accountName: 'gamma' },
  ];
  const results = members.map((member, i) => ({ member, findings: findings[i] ?? [], unchecked: 0 }));
  const broken = { code: 'EntityNotExist.Role', message: 'The role not exists' };
  results[2] = {
    member: members[2]!,
    findings: [accountErrorFinding(members[2]!, broken, 'role x')],
    unchecked: 0,
    error: broken,
  } as never;
  return organizationReport(
    {
      runId,
      startedAt: '2026-12-01T00:00:00.000Z',
      mode: 'dry-run',
      policy: { source: 'p.yaml', sha256: 'ab' },
    },
    results,
    [{ accountId: '444', accountName: 'delta', reason: 'account status CreateExpired is not active' }],
    new Date('2026-12-01T00:01:00Z'),
  );
}

describe('organization report', () => {
  it('is a valid report with the account on each finding and accounts worst first', () => {
    // Prepare
    const r = orgReport('run-1', [
      [finding('a-1', 'compliant', '111', 'alpha')],
      [finding('b-1', 'noncompliant', '222', 'beta')],
    ]);

    // Act
    const parsed = reportSchema.safeParse(JSON.parse(render(r, 'json')));

    // Assess
    expect(parsed.success).toBe(true);
    expect(r.organization?.accounts.map((a) => a.accountName)).toEqual(['gamma', 'beta', 'alpha']);
    expect(r.summary.total).toBe(3);
  });

  it('shows the account in table, CSV, Markdown and HTML', () => {
    // Prepare
    const r = orgReport('run-1', [
      [finding('a-1', 'compliant', '111', 'alpha')],
      [finding('b-1', 'noncompliant', '222', 'beta')],
    ]);

    // Act
    const table = render(r, 'table');
    const csv = render(r, 'csv').split('\r\n');
    const md = render(r, 'md');
    const html = render(r, 'html');

    // Assess
    expect(table).toMatch(/accounts: 3 audited, 1 skipped/);
    expect(table).toMatch(/gamma \(333\).*not audited: EntityNotExist\.Role/);
    expect(table).toMatch(/delta \(444\)\s+skipped: account status CreateExpired/);
    expect(csv[0]?.endsWith(',account_id,account_name')).toBe(true);
    expect(csv.find((l) => l.startsWith('b-1,'))?.endsWith(',222,beta')).toBe(true);
    expect(md).toContain('| account | bucket | region |');
    expect(md).toMatch(/\| beta \| b-1 \|/);
    expect(html).toContain('<section id="accounts">');
    expect(html).toMatch(/<td>beta \(222\)<\/td><td>1<\/td>/);
    expect(html).not.toMatch(/style="/);
  });

  it('counts drift per account against the last organization run and names the account in alerts', () => {
    // Prepare
    const before = orgReport('run-1', [
      [finding('a-1', 'compliant', '111', 'alpha')],
      [finding('b-1', 'compliant', '222', 'beta')],
    ]);
    const after = orgReport('run-2', [
      [finding('a-1', 'compliant', '111', 'alpha')],
      [finding('b-1', 'noncompliant', '222', 'beta')],
    ]);

    // Act
    const drift = computeDrift(before, after);
    const table = render({ ...after, drift }, 'table');
    const alerts = alertsForRun(drift, { ...after, drift });

    // Assess
    expect(drift.becameNoncompliant.map((e) => e.key)).toEqual(['222/cn-hangzhou/b-1']);
    expect(table).toMatch(/beta \(222\).*drift \+1 worse/);
    expect(table).not.toMatch(/alpha \(111\).*drift/);
    const perProblem = alerts.find((a) => a.kind === 'new-problem');
    expect(perProblem?.title).toBe('beta (222): b-1 (cn-hangzhou) is noncompliant');
    expect(alerts[0]?.text).toContain('account beta \\(222\\): **b\\-1**');
  });
});
