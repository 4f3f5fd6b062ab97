/**
 * The demo account: four regions; buckets with no rule, AES256, KMS with the OSS-managed key, KMS with a
 * CMK, SM4; an enabled CMK per region that uses one and a disabled one. Together with
 * examples/policy.yaml it shows every status a user meets: compliant, remediated, exempt, blocked and
 * noncompliant.
 */
import type { KmsState } from './kms/index.js';
import type { OssState } from './oss/index.js';

/** Fixed ids so the demo's reports are comparable run to run. */
export const DEMO_KEYS = {
  prod: '0b5c3e1a-7d2f-4a8e-9c61-5f0e2d7a1b01',
  finance: '4f2a9c7e-1b3d-4e5f-8a6b-7c8d9e0f1a02',
  analyticsRetired: '9e8d7c6b-5a4f-4e3d-2c1b-0a9f8e7d6c03',
} as const;

export interface DemoBucket {
  name: string;
  region: string;
  encryption?: { algorithm: 'AES256' | 'KMS' | 'SM4'; kmsMasterKeyId?: string; kmsDataEncryption?: 'SM4' };
  tags?: Record<string, string>;
  /** The status examples/policy.yaml gives it on a first `audit --remediate`. */
  expect: 'compliant' | 'remediated' | 'exempt' | 'blocked' | 'noncompliant';
}

export const DEMO_BUCKETS: DemoBucket[] = [
  // cn-hangzhou: production on its CMK
  {
    name: 'prod-web-assets',
    region: 'cn-hangzhou',
    encryption: { algorithm: 'KMS', kmsMasterKeyId: DEMO_KEYS.prod },
    expect: 'compliant',
  },
  { name: 'prod-orders', region: 'cn-hangzhou', expect: 'remediated' },
  { name: 'prod-logs', region: 'cn-hangzhou', encryption: { algorithm: 'AES256' }, expect: 'remediated' },
  { name: 'media-uploads', region: 'cn-hangzhou', encryption: { algorithm: 'KMS' }, expect: 'compliant' },
  // cn-shanghai: finance on SM4; a confidential bucket needs KMS
  { name: 'finance-ledger', region: 'cn-shanghai', encryption: { algorithm: 'SM4' }, expect: 'compliant' },
  { name: 'finance-reports', region: 'cn-shanghai', expect: 'remediated' },
  {
    name: 'hr-records',
    region: 'cn-shanghai',
    encryption: { algorithm: 'AES256' },
    tags: { 'data-class': 'confidential' },
    expect: 'remediated',
  },
  {
    name: 'team-wiki',
    region: 'cn-shanghai',
    encryption: { algorithm: 'AES256' },
    tags: { 'data-class': 'internal' },
    expect: 'compliant',
  },
  // cn-beijing: the analytics rule names a key that was disabled
  { name: 'analytics-raw', region: 'cn-beijing', expect: 'blocked' },
  { name: 'analytics-curated', region: 'cn-beijing', encryption: { algorithm: 'KMS' }, expect: 'blocked' },
  // ap-southeast-1: a partner's bucket (report only), an exempt archive, developers' scratch space
  { name: 'shared-partner-drop', region: 'ap-southeast-1', expect: 'noncompliant' },
  { name: 'legacy-archive-2019', region: 'ap-southeast-1', expect: 'exempt' },
  { name: 'dev-scratch', region: 'ap-southeast-1', expect: 'remediated' },
];

/**
 * Objects in the demo account, encrypted and not, so `check-object` and `backfill --local` have something
 * to show (`dev-scratch` had no default encryption when they were written; `media-uploads` had KMS).
 */
export const DEMO_OBJECTS: ReadonlyArray<{
  bucket: string;
  key: string;
  body: string;
  sse: { algorithm: 'AES256' | 'KMS' } | null;
}> = [
  { bucket: 'dev-scratch', key: 'notes/todo.txt', body: 'ship the sandbox\n', sse: null },
  { bucket: 'dev-scratch', key: 'exports/users.csv', body: 'id,name\n1,ada\n', sse: null },
  {
    bucket: 'dev-scratch',
    key: 'builds/app.tar.gz',
    body: 'not really a tarball',
    sse: { algorithm: 'AES256' },
  },
  { bucket: 'media-uploads', key: 'photos/cat.jpg', body: 'a cat', sse: { algorithm: 'KMS' } },
  { bucket: 'media-uploads', key: 'photos/dog.jpg', body: 'a dog', sse: { algorithm: 'KMS' } },
];

/** Fills empty emulator states with the demo account. */
export function seedDemo(oss: OssState, kms: KmsState): void {
  kms.createKey({ region: 'cn-hangzhou', keyId: DEMO_KEYS.prod, description: 'production OSS data' });
  kms.createAlias('alias/prod-oss', DEMO_KEYS.prod, 'cn-hangzhou');
  kms.createKey({
    region: 'cn-shanghai',
    keyId: DEMO_KEYS.finance,
    keySpec: 'Aliyun_SM4',
    description: 'finance',
  });
  kms.createAlias('alias/finance-oss', DEMO_KEYS.finance, 'cn-shanghai');
  kms.createKey({
    region: 'cn-beijing',
    keyId: DEMO_KEYS.analyticsRetired,
    description: 'retired analytics key',
  });
  kms.createAlias('alias/analytics-retired', DEMO_KEYS.analyticsRetired, 'cn-beijing');
  kms.disableKey(DEMO_KEYS.analyticsRetired, 'cn-beijing');
  for (const b of DEMO_BUCKETS) {
    oss.createBucket(b.name, b.region, {
      ...(b.encryption ? { encryption: b.encryption } : {}),
      ...(b.tags ? { tags: b.tags } : {}),
    });
  }
  for (const o of DEMO_OBJECTS) {
    oss.putObject(o.bucket, o.key, o.body, { contentType: 'text/plain', sse: o.sse });
  }
}
