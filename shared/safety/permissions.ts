/**
 * RAM permissions of the change guard (guard.ts): a remediating run with an `oss://` report location
 * finds the report bucket, checks it is unversioned (OSS ignores x-oss-forbid-overwrite under
 * versioning) and lists the lease generations; the lease and journal objects themselves are PutObject /
 * GetObject under the report prefix, which `reportLocationPermissions` already grants.
 */
import { remediationBuckets } from '../audit/permissions.js';
import { ossArn, ossLocation, type PermissionDeclaration } from '../ram/types.js';

export const guardPermissions: PermissionDeclaration = (ctx) => {
  const loc = ossLocation(ctx.reportLocation);
  if (!loc || remediationBuckets(ctx.policy).length === 0) return [];
  return [
    {
      actions: ['oss:GetBucketLocation', 'oss:GetBucketVersioning', 'oss:ListObjects'],
      resources: [ossArn(ctx, loc.bucket)],
      reason: 'remediating runs: the lease in the report bucket (one run at a time) and the change journal',
    },
  ];
};
