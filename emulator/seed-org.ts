/**
 * The demo organization: the demo account is the Resource Directory's management account, and its
 * access key acts as the auditor function's role (`oss-sse-guard-fn`, as inside Function Compute). Member
 * accounts in two folders show what an organization run meets: members whose auditor role works, one
 * without the role, one whose role lacks a permission, and one that is not active (never audited).
 * Member buckets belong to their accounts: the single-account demo never sees them.
 */
import type { Accounts, RamPolicy } from './core/accounts.js';
import type { KmsEmulator } from './kms/index.js';
import type { OssState } from './oss/index.js';
import type { ResourceDirectory } from './resourcemanager/index.js';

export const AUDITOR_ROLE = 'oss-sse-guard-auditor';
export const FUNCTION_ROLE = 'oss-sse-guard-fn';

/** What the member role may do: the reads and writes an audit with remediation needs. */
export const MEMBER_ROLE_POLICY: RamPolicy = {
  Version: '1',
  Statement: [
    {
      Effect: 'Allow',
      Action: [
        'oss:ListBuckets',
        'oss:GetBucketEncryption',
        'oss:PutBucketEncryption',
        'oss:GetBucketTagging',
        'oss:GetBucketInfo',
        'kms:DescribeKey',
        'kms:ListAliases',
      ],
      Resource: '*',
    },
  ],
};

export interface DemoMember {
  accountId: string;
  displayName: string;
  folder: 'Production' | 'Development';
  role: 'ok' | 'missing' | 'no-get-encryption';
  status?: 'CreateSuccess' | 'InviteSuccess' | 'CreateExpired';
  buckets: { name: string; region: string; encryption?: { algorithm: 'AES256' | 'KMS' | 'SM4' } }[];
}

export const DEMO_MEMBERS: DemoMember[] = [
  {
    accountId: '1000000000000001',
    displayName: 'payments-prod',
    folder: 'Production',
    role: 'ok',
    buckets: [
      { name: 'payments-ledger', region: 'cn-hangzhou', encryption: { algorithm: 'KMS' } },
      { name: 'payments-uploads', region: 'cn-hangzhou' },
    ],
  },
  {
    accountId: '1000000000000002',
    displayName: 'web-prod',
    folder: 'Production',
    role: 'ok',
    status: 'InviteSuccess',
    buckets: [
      { name: 'web-static-assets', region: 'cn-shanghai', encryption: { algorithm: 'AES256' } },
      { name: 'web-access-logs', region: 'cn-shanghai' },
    ],
  },
  {
    accountId: '1000000000000003',
    displayName: 'dev-sandbox',
    folder: 'Development',
    role: 'missing',
    buckets: [{ name: 'sandbox-scratch', region: 'cn-beijing' }],
  },
  {
    accountId: '1000000000000004',
    displayName: 'data-lake',
    folder: 'Development',
    role: 'no-get-encryption',
    buckets: [{ name: 'lake-raw-zone', region: 'cn-beijing', encryption: { algorithm: 'KMS' } }],
  },
  {
    accountId: '1000000000000005',
    displayName: 'closing-account',
    folder: 'Development',
    role: 'ok',
    status: 'CreateExpired',
    buckets: [{ name: 'closing-archive', region: 'cn-hangzhou' }],
  },
];

export interface OrgSeedTargets {
  accounts: Accounts;
  directory: ResourceDirectory;
  oss: OssState;
  kms: Pick<KmsEmulator, 'stateFor'>;
  /** The access key that acts as the management account's auditor function. */
  managementKeyId: string;
}

/** Builds the demo organization into empty emulator states. */
export function seedDemoOrganization(t: OrgSeedTargets): void {
  const mgmt = t.accounts.accountId;
  const fnRole = `acs:ram::${mgmt}:role/${FUNCTION_ROLE}`;
  const key = t.accounts.get(t.managementKeyId);
  if (key) key.principalArn = fnRole;
  // The management account is a member of its own directory, audited through the same role.
  t.accounts.addRole({
    accountId: mgmt,
    name: AUDITOR_ROLE,
    trustedPrincipals: [fnRole],
    policy: MEMBER_ROLE_POLICY,
  });
  const folders = {
    Production: t.directory.addFolder('Production', t.directory.rootFolderId, 'fd-prod000001'),
    Development: t.directory.addFolder('Development', t.directory.rootFolderId, 'fd-dev0000001'),
  };
  for (const m of DEMO_MEMBERS) {
    t.directory.addAccount({
      accountId: m.accountId,
      displayName: m.displayName,
      folderId: folders[m.folder].folderId,
      status: m.status ?? 'CreateSuccess',
      joinMethod: m.status === 'InviteSuccess' ? 'invited' : 'created',
    });
    if (m.role !== 'missing') {
      const policy: RamPolicy =
        m.role === 'ok'
          ? MEMBER_ROLE_POLICY
          : {
              Version: '1',
              Statement: [
                ...MEMBER_ROLE_POLICY.Statement,
                { Effect: 'Deny', Action: 'oss:GetBucketEncryption', Resource: '*' },
              ],
            };
      t.accounts.addRole({ accountId: m.accountId, name: AUDITOR_ROLE, trustedPrincipals: [fnRole], policy });
    }
    for (const b of m.buckets) {
      t.oss.createBucket(b.name, b.region, {
        owner: m.accountId,
        ...(b.encryption ? { encryption: b.encryption } : {}),
      });
    }
    t.kms
      .stateFor(m.accountId)
      .createKey({ region: 'cn-hangzhou', description: `${m.displayName} OSS data` });
  }
}
