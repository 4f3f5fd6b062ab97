/** `oss-sse-guard ram-policy [--policy FILE]`: prints the least-privilege RAM policy document (JSON). */

import { z } from 'zod';
import { setupInventoryPermissions } from '../shared/backfill/permissions.js';
import { settingsFromEnv } from '../shared/config.js';
import { ConfigError } from '../shared/errors.js';
import { organizationRamDocuments } from '../shared/org/ram-documents.js';
import { memberRoleTemplateYaml } from '../shared/org/ros-template.js';
import { loadPolicy } from '../shared/policy/load.js';
import type { Policy } from '../shared/policy/schema.js';
import {
  collect,
  FUNCTION_NAMES,
  type FunctionName,
  policyDocument,
  ramPolicy,
} from '../shared/ram/generate.js';
import { matching, oneOf, parseFlags } from './flags.js';
import { type CommandSpec, runCommand } from './run.js';

export interface RamPolicyFlags {
  policy?: string;
  function?: string;
  report?: string;
  accountId?: string;
  logProject?: string;
  logStore?: string;
  explain?: boolean;
  /** Print what a person running `backfill --setup-inventory` needs instead of the functions' policy. */
  setupInventory?: boolean;
  inventoryBucket?: string;
  /** Organization: the management side's policy and the member role (policy + trust policy). */
  org?: boolean;
  /** With --org: print the ROS template that creates the member role instead. */
  ros?: boolean;
  /** With --org: the auditor function's role in the management account. */
  functionRole?: string;
}

const ramPolicyFlagsSchema = z.object({
  function: oneOf(
    ['all', ...FUNCTION_NAMES] as const,
    (v) => `"${v}" must be all or one of ${FUNCTION_NAMES.join(', ')}`,
  ).default('all'),
  accountId: matching(/^\d{1,32}$/, (v) => `"${v}" must be the numeric account id`).optional(),
});

const RAM_POLICY: CommandSpec = { failure: 'the RAM policy could not be generated', failedCode: 1 };

export function ramPolicyCommand(flags: RamPolicyFlags): Promise<number> {
  return runCommand(RAM_POLICY, () => ramPolicyDocument(flags));
}

async function ramPolicyDocument(flags: RamPolicyFlags): Promise<number> {
  const settings = settingsFromEnv();
  const { function: fnFlag } = parseFlags(ramPolicyFlagsSchema, flags);
  const functions: FunctionName[] = fnFlag === 'all' ? ['bucket-auditor', 'upload-guard'] : [fnFlag];
  const policyRef = flags.policy ?? settings.policyRef;
  if (policyRef?.startsWith('oss://')) {
    throw new ConfigError(
      '--policy: give a local copy of the policy file; its oss:// location goes in OSS_SSE_GUARD_POLICY',
    );
  }
  const { policy } = await loadPolicy(policyRef);
  if (flags.org || flags.ros) return printOrganization(policy, flags);
  const ctx = {
    policy,
    policyLocation: settings.policyRef?.startsWith('oss://') ? settings.policyRef : undefined,
    reportLocation: flags.report ?? settings.reportLocation,
    accountId: flags.accountId,
    logProject: flags.logProject,
    logStore: flags.logStore,
    inventoryBucket: flags.inventoryBucket,
  };
  const permissions = flags.setupInventory ? setupInventoryPermissions(ctx) : collect(ctx, functions);
  if (flags.explain) {
    for (const p of permissions) {
      process.stderr.write(`${p.actions.join(', ')} on ${p.resources.join(', ')}: ${p.reason}\n`);
    }
  }
  const doc = flags.setupInventory ? policyDocument(permissions) : ramPolicy(ctx, functions);
  process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
  return 0;
}

/** `ram-policy --org [--ros]`: both sides of an organization run, or the member role's ROS template. */
function printOrganization(policy: Policy, flags: RamPolicyFlags): number {
  if (flags.ros) {
    process.stdout.write(memberRoleTemplateYaml(policy));
    return 0;
  }
  if (!flags.accountId) {
    throw new ConfigError(
      "--org: give --account-id (the management account id) for the member role's trust policy",
    );
  }
  const role = flags.functionRole ?? 'oss-sse-guard-fn';
  if (!/^[A-Za-z0-9.-]{1,64}$/.test(role))
    throw new ConfigError(`--function-role: "${role}" is not a RAM role name`);
  const docs = organizationRamDocuments(policy, { managementAccountId: flags.accountId, functionRole: role });
  process.stdout.write(`${JSON.stringify(docs, null, 2)}\n`);
  return 0;
}
