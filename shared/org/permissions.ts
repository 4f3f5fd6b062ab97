/**
 * Least privilege for both sides of an organization run (`ram-policy --org`):
 * - the management side (the auditor function's role): Resource Manager reads of the directory and
 *   `sts:AssumeRole` on exactly the member role's ARN pattern `acs:ram::*:role/<role>`;
 * - the member role (created in every member, e.g. by templates/member-role.ros.yaml): the audit's own
 *   permissions (shared/audit/permissions.ts, the same declarations the single-account run uses), and a
 *   trust policy that trusts only the auditor function's role in the management account.
 */
import { auditPermissions } from '../audit/permissions.js';
import type { Policy } from '../policy/schema.js';
import type { PermissionContext, PermissionDeclaration } from '../ram/types.js';

export const DEFAULT_MEMBER_ROLE = 'oss-sse-guard-auditor';
/** The auditor function's role in s.yaml (`vars.functionRole`). */
export const DEFAULT_FUNCTION_ROLE = 'oss-sse-guard-fn';

export function memberRoleName(policy: Policy): string {
  return policy.organization?.role ?? DEFAULT_MEMBER_ROLE;
}

export const organizationManagementPermissions: PermissionDeclaration = (ctx) => [
  {
    actions: [
      'resourcemanager:ListAccounts',
      'resourcemanager:ListAccountsForParent',
      'resourcemanager:ListFoldersForParent',
    ],
    // Resource Manager's list actions are not scoped to a resource (inferred: docs/organization.md).
    resources: ['*'],
    reason: 'list the member accounts and folders of the Resource Directory (every page)',
  },
  {
    actions: ['sts:AssumeRole'],
    resources: [`acs:ram::*:role/${memberRoleName(ctx.policy).toLowerCase()}`],
    reason: 'assume the auditor role in each member account (and nothing else)',
  },
];

/** The member role's permission declarations: the single-account audit's, in the member's own account. */
export const memberRolePermissions: PermissionDeclaration = (ctx) =>
  auditPermissions({ ...ctx, accountId: undefined });

export interface TrustPolicyDocument {
  Version: '1';
  Statement: { Action: 'sts:AssumeRole'; Effect: 'Allow'; Principal: { RAM: string[] } }[];
}

/** Trusts only the auditor function's role in the management account. */
export function memberTrustPolicy(
  managementAccountId: string,
  functionRole = DEFAULT_FUNCTION_ROLE,
): TrustPolicyDocument {
  return {
    Version: '1',
    Statement: [
      {
        Action: 'sts:AssumeRole',
        Effect: 'Allow',
        Principal: { RAM: [`acs:ram::${managementAccountId}:role/${functionRole}`] },
      },
    ],
  };
}

export type { PermissionContext };
