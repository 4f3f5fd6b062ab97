/**
 * RAM permissions of the backfill, declared next to its code for `ram-policy` to collect.
 * - The worker (worker.ts, scan.ts): the upload guard's object permissions, reused as they are (the
 *   worker runs the guard's code: HeadObject, and the in-place copy only for `objects.action: encrypt`),
 *   ListObjects on the buckets the policy's `objects.buckets` selects, the run files under the report
 *   location, and `fc:InvokeFunction` on itself to continue a shard.
 * - The coordinator (the bucket auditor's `backfill` mode, coordinator.ts): ListObjects on the same
 *   buckets to plan key ranges, the run files, GetBucketVersioning on the report bucket (the run refuses
 *   a versioned one), and `fc:InvokeFunction` on the worker only.
 * - Inventory runs (`--inventory`, inventory.ts): the coordinator reads the rules (ListBucketInventory is
 *   authorised as oss:GetBucketInventory, API reference "ListBucketInventory"; both are listed), lists the
 *   destination for the latest delivery and reads its manifest; the worker reads the data files.
 * - `backfill --setup-inventory` (inventory-setup.ts), run by a person, not a function: PutBucketInventory
 *   and GetBucketInventory on the buckets, and GetBucketLocation on the destination.
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

/** The inventory files: `<destination>/<prefix>/<bucket>/<id>/...`, any prefix (the rule names it). */
function inventoryFiles(ctx: PermissionContext): string {
  return ossArn(ctx, ctx.inventoryBucket ?? '*', '*');
}

/** Reading delivered inventories (coordinator: rules, listing, manifest; worker: data files). */
export const inventoryReadPermissions = (ctx: PermissionContext, coordinator: boolean): Permission[] => [
  ...(coordinator
    ? [
        {
          actions: ['oss:GetBucketInventory', 'oss:ListBucketInventory'],
          resources: targetBuckets(ctx),
          reason: 'backfill --inventory: find the inventory rule of each bucket',
        },
        {
          actions: ['oss:ListObjects'],
          resources: [ossArn(ctx, ctx.inventoryBucket ?? '*')],
          reason: 'backfill --inventory: find the latest delivered manifest in the destination bucket',
        },
      ]
    : []),
  {
    actions: ['oss:GetObject'],
    resources: [inventoryFiles(ctx)],
    reason: coordinator
      ? 'backfill --inventory: read the manifest.json of the latest delivery'
      : 'backfill --inventory: read the inventory data files (.csv.gz) of a shard',
  },
];

/** What the person running `backfill --setup-inventory` needs (printed by `ram-policy --setup-inventory`). */
export const setupInventoryPermissions: PermissionDeclaration = (ctx) => [
  {
    actions: ['oss:GetBucketInventory', 'oss:PutBucketInventory', 'oss:GetBucketLocation'],
    resources: targetBuckets(ctx),
    reason: 'backfill --setup-inventory: read and write the inventory rule of each bucket',
  },
  {
    actions: ['oss:GetBucketLocation'],
    resources: [ossArn(ctx, ctx.inventoryBucket ?? '*')],
    reason: 'backfill --setup-inventory: check the destination is in the same region',
  },
];

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
  ...inventoryReadPermissions(ctx, false),
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
  ...inventoryReadPermissions(ctx, true),
];
