/**
 * Bucket default encryption: GetBucketEncryption (200 with the rule, 404 NoSuchServerSideEncryptionRule
 * when none), PutBucketEncryption (validated, the key is NOT checked: OSS accepts any KMSMasterKeyID) and
 * DeleteBucketEncryption (204). OSS API reference "PutBucketEncryption" / "GetBucketEncryption".
 */
import { type OssContext, type OssReply, type OssRequest, requireBucket, xmlReply } from './context.js';
import { errors } from './errors.js';
import { encryptionRuleXml, parseEncryptionRule } from './sse.js';

export function getBucketEncryption(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:GetBucketEncryption');
  if (!b.encryption) throw errors.noSuchEncryptionRule(b.name);
  return xmlReply(encryptionRuleXml(b.encryption));
}

export function putBucketEncryption(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:PutBucketEncryption');
  b.encryption = parseEncryptionRule(req.body);
  return { status: 200 };
}

export function deleteBucketEncryption(ctx: OssContext, req: OssRequest): OssReply {
  const b = requireBucket(ctx, req, 'oss:DeleteBucketEncryption');
  b.encryption = null;
  return { status: 204 };
}
