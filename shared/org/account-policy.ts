/**
 * The policy as one member account sees it (pure): rules whose `accounts` selector names the member (by id
 * or display name, globs) apply with the selector resolved; rules naming other accounts are left out; and
 * the remediation cap is the smaller of `limits.maxRemediationsPerRun` and what the organization's budget
 * grants this account.
 */

import { globMatch } from '../policy/glob.js';
import type { LoadedPolicy } from '../policy/load.js';
import type { Member } from './select.js';

export function policyForAccount(loaded: LoadedPolicy, member: Member, budget: number): LoadedPolicy {
  const { policy } = loaded;
  const rules = policy.rules.flatMap((r) => {
    if (!r.accounts) return [r];
    if (!globMatch(r.accounts, member.accountId) && !globMatch(r.accounts, member.accountName)) return [];
    const { accounts: _resolved, ...rest } = r;
    return [rest];
  });
  return {
    ...loaded,
    policy: {
      ...policy,
      rules,
      limits: {
        ...policy.limits,
        maxRemediationsPerRun: Math.min(policy.limits.maxRemediationsPerRun, budget),
      },
    },
  };
}

/**
 * The organization-wide remediation budget: each account reserves what it may use before it starts and
 * gives back what it did not use, so concurrent accounts never exceed the total together.
 */
export class RemediationBudget {
  private left: number;
  constructor(total: number) {
    this.left = total;
  }

  reserve(wanted: number): number {
    const granted = Math.max(0, Math.min(wanted, this.left));
    this.left -= granted;
    return granted;
  }

  release(unused: number): void {
    this.left += Math.max(0, unused);
  }

  get remaining(): number {
    return this.left;
  }
}

/**
 * The organization's remediation budget split across the fan-out's groups up front (pure, deterministic):
 * each group gets its share by size, rounded down, and what rounding left goes one by one to the groups
 * with the largest remainders (the earlier group on a tie). The shares add up to exactly `total`, so
 * workers running at once can never together exceed it, and none is lost to rounding.
 */
export function splitBudget(total: number, sizes: readonly number[]): number[] {
  const n = sizes.reduce((a, b) => a + b, 0);
  if (n === 0 || total <= 0) return sizes.map(() => 0);
  const exact = sizes.map((size) => (total * size) / n);
  const shares = exact.map(Math.floor);
  let left = total - shares.reduce((a, b) => a + b, 0);
  const order = exact
    .map((x, i) => ({ i, rest: x - Math.floor(x) }))
    .sort((a, b) => b.rest - a.rest || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    shares[i] = (shares[i] ?? 0) + 1;
    left -= 1;
  }
  return shares;
}
