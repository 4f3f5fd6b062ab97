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
import { ossArn, ossLocation, type PermissionContext, type PermissionDeclaration } from '../ram/types.js';

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
  {
    actions: ['fc:InvokeFunction'],
    resources: [`acs:fc:*:${ctx.accountId ?? '*'}:functions/oss-sse-guard-bucket-auditor`],
    reason: 'fan out: invoke the auditor itself asynchronously per group of member accounts',
  },
  ...orgRunFiles(ctx),
];

/** The fan-out's run files under `<report location>/org/` (create-once account results, lock). */
function orgRunFiles(ctx: PermissionContext) {
  const loc = ossLocation(ctx.reportLocation);
  if (!loc) return [];
  const prefix = loc.key.replace(/^\/+|\/+$/g, '');
  return [
    {
      actions: ['oss:GetObject', 'oss:PutObject'],
      resources: [ossArn(ctx, loc.bucket, `${prefix ? `${prefix}/` : ''}org/*`)],
      reason: 'organization run files: manifest, account results, group done markers, the lock',
    },
    {
      actions: ['oss:ListObjects'],
      resources: [ossArn(ctx, loc.bucket)],
      reason: 'list the finished groups and account results of a run',
    },
  ];
}

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
