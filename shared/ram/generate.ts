/**
 * Collects every declared permission into one RAM policy document: `{"Version":"1","Statement":[...]}`,
 * one Allow statement per distinct resource set, actions and resources sorted, so the output is stable.
 */
import { auditPermissions } from '../audit/permissions.js';
import { backfillCoordinatorPermissions, backfillWorkerPermissions } from '../backfill/permissions.js';
import { uploadGuardPermissions } from '../objects/permissions.js';
import { guardPermissions } from '../safety/permissions.js';
import { watchPermissions } from '../watch/permissions.js';
import { policyLocationPermissions, reportLocationPermissions } from './policy-permissions.js';
import type { Permission, PermissionContext, PermissionDeclaration } from './types.js';

export interface RamStatement {
  Effect: 'Allow';
  Action: string[];
  Resource: string[];
}

export interface RamPolicyDocument {
  Version: '1';
  Statement: RamStatement[];
}

export type FunctionName = 'bucket-auditor' | 'upload-guard' | 'bucket-watch' | 'backfill-worker';

/** Function Compute writes the functions' logs with their role (s.yaml `logConfig`). */
export const loggingPermissions: PermissionDeclaration = (ctx) => [
  {
    actions: ['log:PostLogStoreLogs'],
    resources: [
      `acs:log:*:${ctx.accountId ?? '*'}:project/${ctx.logProject ?? '*'}/logstore/${ctx.logStore ?? '*'}`,
    ],
    reason: 'Function Compute ships the function logs to Simple Log Service with the function role',
  },
];

/** The declarations each function's code path uses. Extended as functions gain actions. */
export const DECLARATIONS: Record<FunctionName, PermissionDeclaration[]> = {
  'bucket-auditor': [
    auditPermissions,
    policyLocationPermissions,
    reportLocationPermissions,
    guardPermissions,
    loggingPermissions,
    // Its `backfill` mode; only for a policy that manages objects (has an `objects` section).
    (ctx) => (ctx.policy.objects ? backfillCoordinatorPermissions(ctx) : []),
  ],
  'upload-guard': [uploadGuardPermissions, policyLocationPermissions, loggingPermissions],
  'bucket-watch': [
    watchPermissions,
    policyLocationPermissions,
    reportLocationPermissions,
    loggingPermissions,
  ],
  'backfill-worker': [backfillWorkerPermissions, loggingPermissions],
};

/** Every function s.yaml deploys, in DECLARATIONS order (what `ram-policy --function all` should cover). */
export const FUNCTION_NAMES = Object.keys(DECLARATIONS) as FunctionName[];

export function collect(ctx: PermissionContext, functions: readonly FunctionName[]): Permission[] {
  return functions.flatMap((fn) => DECLARATIONS[fn].flatMap((d) => d(ctx)));
}

export function ramPolicy(ctx: PermissionContext, functions: readonly FunctionName[]): RamPolicyDocument {
  const byResources = new Map<string, { resources: string[]; actions: Set<string> }>();
  for (const p of collect(ctx, functions)) {
    const resources = [...new Set(p.resources)].sort();
    const key = resources.join('\n');
    const entry = byResources.get(key) ?? { resources, actions: new Set<string>() };
    for (const a of p.actions) entry.actions.add(a);
    byResources.set(key, entry);
  }
  const Statement = [...byResources.values()]
    .map((e) => ({ Effect: 'Allow' as const, Action: [...e.actions].sort(), Resource: e.resources }))
    .sort(
      (a, b) =>
        (a.Action[0] ?? '').localeCompare(b.Action[0] ?? '') ||
        a.Resource.join().localeCompare(b.Resource.join()),
    );
  return { Version: '1', Statement };
}
