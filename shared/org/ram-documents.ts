/**
 * What `ram-policy --org` prints: the management side (the auditor function role's policy, organization
 * permissions included) and the member role (name, policy, trust policy).
 */
import type { Policy } from '../policy/schema.js';
import { policyDocument, type RamPolicyDocument, ramPolicy } from '../ram/generate.js';
import {
  memberRoleName,
  memberRolePermissions,
  memberTrustPolicy,
  type TrustPolicyDocument,
} from './permissions.js';

export interface OrganizationRamDocuments {
  management: { functionRole: string; policy: RamPolicyDocument };
  memberRole: { roleName: string; policy: RamPolicyDocument; trustPolicy: TrustPolicyDocument };
}

export function organizationRamDocuments(
  policy: Policy,
  opts: { managementAccountId: string; functionRole: string },
): OrganizationRamDocuments {
  // The management side always gets the organization permissions under --org, policy section or not.
  const orgPolicy: Policy = policy.organization
    ? policy
    : {
        ...policy,
        organization: { role: memberRoleName(policy), concurrency: 4, fanOutAbove: 10, accountsPerWorker: 1 },
      };
  return {
    management: {
      functionRole: opts.functionRole,
      policy: ramPolicy({ policy: orgPolicy, accountId: opts.managementAccountId }, ['bucket-auditor']),
    },
    memberRole: {
      roleName: memberRoleName(policy),
      policy: policyDocument(memberRolePermissions({ policy })),
      trustPolicy: memberTrustPolicy(opts.managementAccountId, opts.functionRole),
    },
  };
}
