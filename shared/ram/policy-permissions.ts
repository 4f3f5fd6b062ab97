/** RAM permissions for reading the policy from OSS (policy/load.ts) and writing reports to OSS. */
import { ossArn, ossLocation, type PermissionDeclaration } from './types.js';

export const policyLocationPermissions: PermissionDeclaration = (ctx) => {
  const loc = ossLocation(ctx.policyLocation);
  if (!loc) return [];
  return [
    {
      actions: ['oss:GetObject'],
      resources: [ossArn(ctx, loc.bucket, loc.key)],
      reason: 'read the policy object',
    },
  ];
};

export const reportLocationPermissions: PermissionDeclaration = (ctx) => {
  const loc = ossLocation(ctx.reportLocation);
  if (!loc) return [];
  const prefix = loc.key.replace(/\/+$/, '');
  const under = prefix ? `${prefix}/*` : '*';
  return [
    {
      actions: ['oss:PutObject', 'oss:GetObject'],
      resources: [ossArn(ctx, loc.bucket, under)],
      reason: 'write reports and read the previous latest.json for drift',
    },
  ];
};
