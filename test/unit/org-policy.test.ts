/**
 * Policy v1's organization section and the `accounts` rule selector (pure): strict validation with
 * paths, member selection (active only; ids, names, folders, globs), the policy one member sees, and the
 * organization-wide remediation budget.
 */
import { describe, expect, it } from 'vitest';
import { PolicyError } from '../../shared/errors.js';
import { policyForAccount, RemediationBudget, splitBudget } from '../../shared/org/account-policy.js';
import { selectMembers } from '../../shared/org/select.js';
import { sessionName } from '../../shared/org/session.js';
import { resolveRule } from '../../shared/policy/evaluate.js';
import { policyFromText } from '../../shared/policy/load.js';

function problemsOf(text: string): string[] {
  try {
    policyFromText(text, 'org.yaml');
  } catch (err) {
    if (err instanceof PolicyError) return err.problems;
    throw err;
  }
  throw new Error('expected the policy to be refused');
}

const account = (
  accountId: string,
  displayName: string,
  status = 'CreateSuccess',
  path = `rd/r-1/${accountId}`,
) => ({
  accountId,
  displayName,
  folderId: path.split('/').slice(-2)[0] ?? 'r-1',
  status,
  path,
});

describe('organization policy', () => {
  it('fills the defaults: role oss-sse-guard-auditor, concurrency 4', () => {
    // Act
    const { policy } = policyFromText('version: 1\norganization: {}\n', 'org.yaml');

    // Assess
    expect(policy.organization).toMatchObject({ role: 'oss-sse-guard-auditor', concurrency: 4 });
  });

  it('refuses unknown keys and bad values with their paths', () => {
    // Act
    const problems = problemsOf(
      'version: 1\norganization:\n  role: "bad role!"\n  concurrency: 0\n  accounts: { include: [] , extra: 1 }\nrules:\n  - { id: r, accounts: [] }\n',
    );

    // Assess
    expect(problems.some((p) => p.includes('organization.role'))).toBe(true);
    expect(problems.some((p) => p.includes('organization.concurrency'))).toBe(true);
    expect(problems.some((p) => p.includes('organization.accounts') && p.includes('extra'))).toBe(true);
    expect(problems.some((p) => p.includes('organization.accounts.include'))).toBe(true);
    expect(problems.some((p) => p.includes('rules[0].accounts'))).toBe(true);
  });

  it('selects active accounts by id, name glob and folder name, and says why the others are out', () => {
    // Prepare
    const accounts = [
      account('1', 'pay-prod', 'CreateSuccess', 'rd/r-1/fd-p/1'),
      account('2', 'web-prod', 'InviteSuccess', 'rd/r-1/fd-p/2'),
      account('3', 'sandbox', 'CreateSuccess', 'rd/r-1/fd-d/3'),
      account('4', 'old-prod', 'CreateVerifying', 'rd/r-1/fd-p/4'),
    ];
    const folders = new Map([
      ['fd-p', 'Production'],
      ['fd-d', 'Development'],
    ]);

    // Act
    const sel = selectMembers(
      accounts,
      { folders: { include: ['Prod*'], exclude: [] }, accounts: { exclude: ['web-*'] } },
      folders,
    );

    // Assess
    expect(sel.members).toEqual([{ accountId: '1', accountName: 'pay-prod' }]);
    expect(Object.fromEntries(sel.skipped.map((s) => [s.accountName, s.reason]))).toEqual({
      'web-prod': 'excluded by organization.accounts/folders',
      sandbox: 'not included by organization.accounts/folders',
      'old-prod': 'account status CreateVerifying is not active',
    });
  });

  it('applies an accounts rule only to the members it names, never in a single-account run', () => {
    // Prepare
    const loaded = policyFromText(
      'version: 1\nrules:\n  - { id: prod, accounts: ["*-prod", "42"], sse: { minimum: kms } }\n',
      'org.yaml',
    );
    const bucket = { name: 'b', region: 'cn-hangzhou' };

    // Act
    const forProd = policyForAccount(loaded, { accountId: '1', accountName: 'pay-prod' }, 50).policy;
    const forById = policyForAccount(loaded, { accountId: '42', accountName: 'x' }, 50).policy;
    const forDev = policyForAccount(loaded, { accountId: '3', accountName: 'sandbox' }, 50).policy;

    // Assess
    expect(resolveRule(forProd, bucket).ruleId).toBe('prod');
    expect(resolveRule(forById, bucket).ruleId).toBe('prod');
    expect(resolveRule(forDev, bucket).ruleId).toBe('defaults');
    expect(resolveRule(loaded.policy, bucket).ruleId).toBe('defaults');
  });

  it('never grants more than the organization budget, per account at most the per-run cap', () => {
    // Prepare
    const budget = new RemediationBudget(7);
    const loaded = policyFromText('version: 1\nlimits: { maxRemediationsPerRun: 3 }\n', 'org.yaml');

    // Act
    const grants = [budget.reserve(3), budget.reserve(3), budget.reserve(3)];
    budget.release(2);
    const later = budget.reserve(3);
    const capped = policyForAccount(loaded, { accountId: '1', accountName: 'a' }, grants[2] ?? 0);

    // Assess
    expect(grants).toEqual([3, 3, 1]);
    expect(later).toBe(2);
    expect(capped.policy.limits.maxRemediationsPerRun).toBe(1);
  });

  it('splits the organization budget across fan-out groups up front, adding up to exactly the total', () => {
    // Act
    const small = splitBudget(
      5,
      Array.from({ length: 10 }, () => 1),
    );
    const uneven = splitBudget(5, [3, 3, 2]);
    const sizes = [7, 7, 7, 7, 2];
    const many = splitBudget(13, sizes);

    // Assess: none lost to rounding (5 over ten groups of one used to give every group 0), none exceeded
    expect(small).toEqual([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(uneven).toEqual([2, 2, 1]);
    expect(many.reduce((a, b) => a + b, 0)).toBe(13);
    expect(splitBudget(13, sizes)).toEqual(many);
    expect(splitBudget(0, [3, 3])).toEqual([0, 0]);
    expect(splitBudget(4, [])).toEqual([]);
  });

  it('names the tool and the run in the role session name, within STS limits', () => {
    // Act
    const name = sessionName('8f14e45f-ceea-467f-a0e6-1c2e3d4f5a6b');

    // Assess
    expect(name).toBe('oss-sse-guard-8f14e45f-ceea-467f-a0e6-1c2e3d4f5a6b');
    expect(sessionName('x'.repeat(100))).toHaveLength(64);
    expect(sessionName('a b/c')).toMatch(/^[A-Za-z0-9.@_-]+$/);
  });
});
