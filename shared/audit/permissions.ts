/**
 * RAM permissions of the bucket audit (run.ts, preflight.ts): listing and reading every bucket, DescribeKey
 * on the account's keys, reading tags only when a rule selects by them, and PutBucketEncryption only where
 * some rule remediates.
 */
import type { Policy } from '../policy/schema.js';
import { bucketPattern, kmsKeyArn, ossArn, type PermissionDeclaration } from '../ram/types.js';

export const auditPermissions: PermissionDeclaration = (ctx) => {
  const { policy } = ctx;
  const out = [
    {
      actions: ['oss:ListBuckets'],
      resources: [ossArn(ctx, '*')],
      reason: 'list every bucket of the account',
    },
    {
      actions: ['oss:GetBucketEncryption'],
      resources: [ossArn(ctx, '*')],
      reason: 'read every bucket default encryption',
    },
  ];
  // Every verdict looks at the key a bucket default names (any bucket may name a CMK), and at the keys the
  // policy names. An alias is authorized on the key it points to (KMS "Manage a key alias"), so the key
  // ARNs of the account are enough.
  out.push({
    actions: ['kms:DescribeKey'],
    resources: [kmsKeyArn(ctx)],
    reason: 'read the state, region, origin and protection of the KMS keys buckets use or the policy names',
  });
  if (policy.rules.some((r) => r.tags)) {
    out.push({
      actions: ['oss:GetBucketTagging'],
      resources: [ossArn(ctx, '*')],
      reason: 'rules select buckets by tags',
    });
  }
  const remediable = remediationBuckets(ctx.policy);
  if (remediable.length > 0) {
    out.push({
      actions: ['oss:PutBucketEncryption'],
      resources: remediable.map((b) => ossArn(ctx, b)),
      reason: 'apply default encryption where a rule remediates',
    });
  }
  return out;
};

/** Bucket patterns that some remediating, non-exempt rule (or the remediating defaults) can select. */
export function remediationBuckets(policy: Policy): string[] {
  const patterns = new Set<string>();
  // Buckets no rule matches fall to the defaults; without a way to enumerate them, that means any bucket.
  if (policy.defaults.remediate) return ['*'];
  for (const rule of policy.rules) {
    if (rule.exempt) continue;
    if (!(rule.remediate ?? policy.defaults.remediate)) continue;
    if (!rule.buckets) return ['*'];
    for (const g of rule.buckets) patterns.add(bucketPattern(g));
  }
  return patterns.has('*') ? ['*'] : [...patterns].sort();
}
