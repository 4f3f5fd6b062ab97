/**
 * RAM permissions of the backfill, declared next to its code for `ram-policy` to collect.
 * - The worker (worker.ts, scan.ts): the upload guard's object permissions, reused as they are (the
 *   worker runs the guard's code: HeadObject, and the in-place copy only for `objects.action: encrypt`),
 *   ListObjects on the buckets the policy's `objects.buckets` selects, the run files under the report
 *   location, and `fc:InvokeFunction` on itself to continue a shard.
 * - The coordinator (the bucket auditor's `backfill` mode, coordinator.ts): ListObjects on the same
 *   buckets to plan key ranges, the run files, GetBucketVersioning on the report bucket (the run refuses
 *   a versioned one), and `fc:InvokeFunction` on the worker only.
 */

import { uploadGuardPermissions } from '../objects/permissions.js';
import { objectsPolicy } from '../objects/scope.js';
import {
  bucketPattern,
  ossArn,
  ossLocation,
  type Permission,
  type PermissionContext,
  type PermissionDeclaration,
} from '../ram/types.js';
import { DEFAULT_WORKER_FUNCTION } from './payload.js';

/** The worker function, as fc3 deploys it (FC 3.0 ARNs have no service). */
function workerArn(ctx: PermissionContext): string {
  return `acs:fc:*:${ctx.accountId ?? '*'}:functions/${DEFAULT_WORKER_FUNCTION}`;
}

/** The buckets a backfill may list: those `objects.buckets` selects. */
function targetBuckets(ctx: PermissionContext): string[] {
  const patterns = [...new Set(objectsPolicy(ctx.policy).buckets.map(bucketPattern))].sort();
  return patterns.includes('*') ? [ossArn(ctx, '*')] : patterns.map((b) => ossArn(ctx, b));
}

/** Reading and creating the run files under `<report location>/backfill/`, and listing `done/`. */
function runFiles(ctx: PermissionContext, extra: string[] = []): Permission[] {
  const loc = ossLocation(ctx.reportLocation);
  if (!loc) return [];
  const prefix = loc.key.replace(/^\/+|\/+$/g, '');
  return [
    {
      actions: ['oss:GetObject', 'oss:PutObject'],
      resources: [ossArn(ctx, loc.bucket, `${prefix ? `${prefix}/` : ''}backfill/*`)],
      reason:
        'backfill run files: manifest, claims, checkpoint segments, shard results, the lock, the report',
    },
    {
      actions: ['oss:GetBucketLocation', 'oss:ListObjects', ...extra],
      resources: [ossArn(ctx, loc.bucket)],
      reason: 'find the report bucket and list the finished shards',
    },
  ];
}

/** The backfill-worker function's permissions. */
export const backfillWorkerPermissions: PermissionDeclaration = (ctx) => [
  ...uploadGuardPermissions(ctx),
  {
    actions: ['oss:ListObjects'],
    resources: targetBuckets(ctx),
    reason: "list each shard's keys in the buckets objects.buckets selects",
  },
  {
    actions: ['fc:InvokeFunction'],
    resources: [workerArn(ctx)],
    reason: 'continue a shard in a new asynchronous invocation before the deadline',
  },
  ...runFiles(ctx),
];

/** The coordinator's permissions (the bucket auditor's `backfill` mode). */
export const backfillCoordinatorPermissions: PermissionDeclaration = (ctx) => [
  {
    actions: ['oss:GetBucketLocation', 'oss:ListObjects'],
    resources: targetBuckets(ctx),
    reason: 'backfill: find each bucket and plan its key ranges',
  },
  {
    actions: ['fc:InvokeFunction'],
    resources: [workerArn(ctx)],
    reason: 'backfill: start the worker invocations',
  },
  ...runFiles(ctx, ['oss:GetBucketVersioning']),
];
