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
