/**
 * RAM permissions of the upload guard (inspect.ts, encrypt.ts, cloud/oss-objects.ts), declared next to
 * the code for `ram-policy` to collect: HeadObject always; the in-place copy (CopyObject, or the multipart
 * calls with the tags they carry) and the KMS pre-flight only when `objects.action` is `encrypt`.
 */
import { bucketPattern, kmsKeyArn, ossArn, type PermissionDeclaration } from '../ram/types.js';
import { keyMatters } from './inspect.js';
import { objectsPolicy } from './scope.js';

export const uploadGuardPermissions: PermissionDeclaration = (ctx) => {
  const objects = objectsPolicy(ctx.policy);
  const buckets = [...new Set(objects.buckets.map(bucketPattern))].sort();
  const inScope = buckets.includes('*') ? [ossArn(ctx, '*', '*')] : buckets.map((b) => ossArn(ctx, b, '*'));
  const out = [
    {
      actions: ['oss:GetObject'],
      resources: inScope,
      reason: 'read the encryption of each new object (HeadObject)',
    },
  ];
  // The verdict looks at the object's key when the requirement depends on it (service key or CMK, HSM,
  // imported material), and an alias in the policy resolves through DescribeKey.
  const describes = keyMatters(objects.sse, objects.match) || objects.sse.kmsKeyId !== undefined;
  if (describes) {
    out.push({
      actions: ['kms:DescribeKey'],
      resources: [kmsKeyArn(ctx)],
      reason: 'read the KMS key of each object (service key or customer CMK, protection, origin)',
    });
  }
  if (objects.action !== 'encrypt') return out;
  out.push({
    actions: ['oss:PutObject', 'oss:GetObjectTagging', 'oss:PutObjectTagging', 'oss:AbortMultipartUpload'],
    resources: inScope,
    reason: 'encrypt objects in place: CopyObject onto itself, or multipart copy carrying the tags it read',
  });
  if (objects.sse.algorithm === 'KMS' || objects.sse.minimum === 'kms' || objects.sse.minimum === 'kms-cmk') {
    out.push({
      actions: [...(describes ? [] : ['kms:DescribeKey']), 'kms:GenerateDataKey', 'kms:Decrypt'],
      resources: ['acs:kms:*:*:key/*', 'acs:kms:*:*:alias/*'],
      reason: 'KMS pre-flight of the CMK, and SSE-KMS reads and writes of the copy',
    });
  }
  return out;
};
