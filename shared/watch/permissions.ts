/**
 * RAM permissions of the bucket watch (audit-bucket.ts through audit/run.ts), declared next to the code
 * for `ram-policy` to collect: the timer audit's, less ListBuckets (the event names the bucket). Reading
 * the policy, writing run reports and shipping logs are declared by their own modules.
 */
import { auditPermissions } from '../audit/permissions.js';
import type { PermissionDeclaration } from '../ram/types.js';

/** The bucket watch's RAM permissions for a policy (see the module comment). */
export const watchPermissions: PermissionDeclaration = (ctx) =>
  auditPermissions(ctx)
    .map((p) => ({ ...p, actions: p.actions.filter((a) => a !== 'oss:ListBuckets') }))
    .filter((p) => p.actions.length > 0)
    .map((p) =>
      p.actions.includes('oss:GetBucketEncryption')
        ? {
            ...p,
            reason: 'read the default encryption of the bucket an event names, before and after a change',
          }
        : p,
    );
