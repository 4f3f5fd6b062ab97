/**
 * Each function runs with its role, as Function Compute gives a function its role's temporary
 * credentials: the sandbox issues an STS triple per function whose RAM policy is what the role in s.yaml
 * is granted. By default that is what the project tells deployers to attach (`ram-policy`, the document
 * shared/ram/generate.ts derives from the policy, for the functions that share the role); a test or a user
 * can give a role another document, so a missing permission shows up as AccessDenied exactly as in the
 * cloud.
 */
import { randomBytes } from 'node:crypto';
import type { Policy } from '../../shared/policy/schema.js';
import { type FunctionName, ramPolicy } from '../../shared/ram/generate.js';
import type { Accounts, RamPolicy } from '../core/accounts.js';
import type { FunctionSpec } from './s-yaml.js';

export interface RoleGrant {
  /** The role ARN from s.yaml (`acs:ram::<account>:role/<name>`), or `(none)`. */
  role: string;
  policy: RamPolicy;
}

/** The role's name from its ARN (or the name itself). */
export function roleName(role: string): string {
  return role.slice(role.lastIndexOf('/') + 1);
}

const KNOWN: readonly string[] = ['bucket-auditor', 'upload-guard', 'bucket-watch', 'backfill-worker'];

/** What each role in the shape is granted: the override for its name, else the generated document. */
export function roleGrants(
  functions: readonly FunctionSpec[],
  ctx: { policy: Policy; policyLocation?: string; reportLocation?: string; accountId: string },
  overrides: Record<string, RamPolicy> = {},
): Map<string, RoleGrant> {
  const byRole = new Map<string, FunctionName[]>();
  for (const f of functions) {
    const role = f.role ?? '(none)';
    const list = byRole.get(role) ?? [];
    if (KNOWN.includes(f.resource)) list.push(f.resource as FunctionName);
    byRole.set(role, list);
  }
  const grants = new Map<string, RoleGrant>();
  for (const [role, fns] of byRole) {
    const override = overrides[roleName(role)];
    const policy: RamPolicy = override ?? (ramPolicy(ctx, fns) as RamPolicy);
    grants.set(role, { role, policy });
  }
  return grants;
}

/** Issues a function's temporary credentials for its role and registers them with the emulators. */
export function issueRoleCredentials(accounts: Accounts, grant: RoleGrant) {
  const key = {
    accessKeyId: `STS.${randomBytes(12).toString('hex').toUpperCase()}`,
    accessKeySecret: randomBytes(24).toString('base64url'),
    securityToken: randomBytes(48).toString('base64'),
    policy: grant.policy,
  };
  accounts.add(key);
  return key;
}
