/**
 * Which features a policy turns on and which RAM actions each needs (pure). Derived from the same
 * declarations `ram-policy` prints (shared/ram/), so doctor and the RAM policy never disagree; and the
 * line of `ram-policy`'s output that grants each action, to paste into the fix.
 */
import { auditPermissions } from '../audit/permissions.js';
import { backfillCoordinatorPermissions } from '../backfill/permissions.js';
import { uploadGuardPermissions } from '../objects/permissions.js';
import { objectsPolicy } from '../objects/scope.js';
import { type FunctionName, ramPolicy } from '../ram/generate.js';
import { policyLocationPermissions, reportLocationPermissions } from '../ram/policy-permissions.js';
import type { Permission, PermissionContext } from '../ram/types.js';

export type Feature =
  | 'audit'
  | 'remediation'
  | 'upload guard'
  | 'backfill'
  | 'policy in OSS'
  | 'reports to OSS';

export interface NeededAction {
  feature: Feature;
  action: string;
  resources: string[];
  reason: string;
}

/** What `ram-policy` prints by default (`--function all`), and therefore what doctor points into. */
export const DOCTOR_FUNCTIONS: FunctionName[] = ['bucket-auditor', 'upload-guard'];

const isRemediation = (a: string) => a === 'oss:PutBucketEncryption' || a.startsWith('kms:');

function split(feature: Feature, perms: Permission[], keep: (action: string) => boolean = () => true) {
  return perms.flatMap((p) =>
    p.actions.filter(keep).map((action) => ({ feature, action, resources: p.resources, reason: p.reason })),
  );
}

/** Every RAM action the policy's features need, feature by feature, in checklist order. */
export function neededActions(ctx: PermissionContext): NeededAction[] {
  const audit = auditPermissions(ctx);
  const out: NeededAction[] = [
    ...split('audit', audit, (a) => !isRemediation(a)),
    ...split('remediation', audit, isRemediation),
    ...split('policy in OSS', policyLocationPermissions(ctx)),
    ...split('reports to OSS', reportLocationPermissions(ctx)),
  ];
  if (ctx.policy.objects && objectsPolicy(ctx.policy).action !== 'ignore') {
    out.push(...split('upload guard', uploadGuardPermissions(ctx)));
    out.push(...split('backfill', backfillCoordinatorPermissions(ctx)));
  }
  return out;
}

/** The features the policy turns on, for the checklist header (alerts need no RAM action). */
export function enabledFeatures(ctx: PermissionContext, alerts: boolean): string[] {
  const features = new Set<string>(neededActions(ctx).map((n) => n.feature));
  features.add('audit');
  if (alerts) features.add('alerts');
  return [...features];
}

/**
 * `ram-policy line N: "oss:PutBucketEncryption" (statement for acs:oss:*:*:prod-*)`: where in the output
 * of `oss-sse-guard ram-policy` (same policy, same report location) the action is granted on `resources`.
 */
export function grantLine(ctx: PermissionContext, action: string, resources: string[]): string {
  const doc = ramPolicy(ctx, DOCTOR_FUNCTIONS);
  const lines = JSON.stringify(doc, null, 2).split('\n');
  const wanted = [...new Set(resources)].sort().join('\n');
  const index = doc.Statement.findIndex((s) => s.Action.includes(action) && s.Resource.join('\n') === wanted);
  const statement = index >= 0 ? index : doc.Statement.findIndex((s) => s.Action.includes(action));
  // Walk the printed document to the statement's own line of that action.
  let seen = -1;
  for (let i = 0; i < lines.length; i += 1) {
    if ((lines[i] ?? '').trim() === '"Effect": "Allow",') seen += 1;
    if (seen === statement && (lines[i] ?? '').trim().replace(/,$/, '') === JSON.stringify(action)) {
      const on = doc.Statement[statement]?.Resource.join(', ') ?? '';
      return `ram-policy line ${i + 1}: ${(lines[i] ?? '').trim()} (statement for ${on})`;
    }
  }
  return `ram-policy: ${action} on ${resources.join(', ')}`;
}
