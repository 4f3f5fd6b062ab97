/**
 * The STS and Resource Manager emulators driven by the real @alicloud/sts20150401 and
 * @alicloud/resourcemanager20200331 clients (through our gateways, which only wrap them), and the STS
 * credentials they issue used against the OSS, KMS and FC emulators.
 *
 * Sources: STS API reference "AssumeRole" (response Credentials {AccessKeyId, AccessKeySecret,
 * SecurityToken, Expiration}, AssumedRoleUser; DurationSeconds 900..max); OSS help "Common errors when you
 * access OSS by using STS" (doc-detail 42775: NoPermission for root callers and untrusted principals,
 * InvalidParameter.RoleSessionName / DurationSeconds); OSS error center 0002-00000007 (expired temporary
 * credentials); Resource Manager API reference ListAccounts / ListAccountsForParent / ListFoldersForParent
 * (PageNumber, PageSize <= 100, TotalCount; account Status values as in the alicloud Terraform data source
 * alicloud_resource_manager_accounts). Codes not in those pages are inferred: emulator/README.md.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { FcGateway } from '../../shared/cloud/fc.js';
import { KmsGateway } from '../../shared/cloud/kms.js';
import { OssGateway } from '../../shared/cloud/oss.js';
import { ResourceManagerGateway } from '../../shared/cloud/resource-manager.js';
import { StsGateway } from '../../shared/cloud/sts.js';

let emu: Emulators | undefined;
afterEach(async () => {
  await emu?.close();
  emu = undefined;
});

const NO_RETRY = { maxAttempts: 1 };
const ROLE = 'acs:ram::1000000000000001:role/oss-sse-guard-auditor';

function sts(e: Emulators, secret = e.credentials.accessKeySecret) {
  return new StsGateway({
    credentials: { accessKeyId: e.credentials.accessKeyId, accessKeySecret: secret },
    endpoint: e.sts.url,
    retry: NO_RETRY,
  });
}

describe('STS emulator (AssumeRole)', () => {
  it('issues STS. credentials with an expiration for a trusted principal', async () => {
    // Prepare
    const t = Date.parse('2026-12-01T00:00:00Z');
    emu = await startEmulators({ seed: 'demo', credentialsNow: () => new Date(t) });

    // Act
    const c = await sts(emu).assumeRole({
      roleArn: ROLE,
      sessionName: 'oss-sse-guard-test',
      durationSeconds: 900,
    });

    // Assess
    expect(c.accessKeyId.startsWith('STS.')).toBe(true);
    expect(c.securityToken.length).toBeGreaterThan(20);
    expect(c.expiration.toISOString()).toBe('2026-12-01T00:15:00.000Z');
    expect(emu.accounts.accountOf(c.accessKeyId)).toBe('1000000000000001');
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    // Prepare
    emu = await startEmulators({ seed: 'demo' });

    // Act
    const err = await sts(emu, 'wrong-secret')
      .assumeRole({ roleArn: ROLE, sessionName: 'ab' })
      .catch((e) => e);

    // Assess
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(String(err.message)).not.toContain('wrong-secret');
  });

  it('refuses an untrusted principal, a missing role, a root caller and bad parameters', async () => {
    // Prepare
    emu = await startEmulators({ seed: 'demo' });
    emu.accounts.add({
      accessKeyId: 'OTHER',
      accessKeySecret: 'other-secret',
      principalArn: 'acs:ram::1234567890123456:user/bob',
    });
    emu.accounts.add({ accessKeyId: 'ROOT', accessKeySecret: 'root-secret' });
    const as = (id: string, secret: string) =>
      new StsGateway({
        credentials: { accessKeyId: id, accessKeySecret: secret },
        endpoint: emu?.sts.url,
        retry: NO_RETRY,
      });

    // Act
    const untrusted = await as('OTHER', 'other-secret')
      .assumeRole({ roleArn: ROLE, sessionName: 'ab' })
      .catch((e) => e);
    const missing = await sts(emu)
      .assumeRole({ roleArn: 'acs:ram::1000000000000003:role/oss-sse-guard-auditor', sessionName: 'ab' })
      .catch((e) => e);
    const root = await as('ROOT', 'root-secret')
      .assumeRole({ roleArn: ROLE, sessionName: 'ab' })
      .catch((e) => e);
    const badName = await sts(emu)
      .assumeRole({ roleArn: ROLE, sessionName: 'a' })
      .catch((e) => e);
    const badDuration = await sts(emu)
      .assumeRole({ roleArn: ROLE, sessionName: 'ab', durationSeconds: 60 })
      .catch((e) => e);

    // Assess
    expect([untrusted.code, untrusted.status]).toEqual(['NoPermission', 403]);
    expect(untrusted.message).toContain('trust policy');
    expect([missing.code, missing.status]).toEqual(['EntityNotExist.Role', 404]);
    expect(root.message).toContain('root accounts');
    expect(badName.code).toBe('InvalidParameter.RoleSessionName');
    expect(badDuration.code).toBe('InvalidParameter.DurationSeconds');
  });

  it('lets OSS, KMS and FC accept the credentials as the member and refuse them once expired', async () => {
    // Prepare
    let t = Date.parse('2026-12-01T00:00:00Z');
    emu = await startEmulators({ seed: 'demo', credentialsNow: () => new Date(t) });
    const c = await sts(emu).assumeRole({
      roleArn: ROLE,
      sessionName: 'oss-sse-guard-test',
      durationSeconds: 900,
    });
    const oss = new OssGateway({ credentials: c, endpoint: emu.oss.url, retry: NO_RETRY });
    const kms = new KmsGateway({ credentials: c, endpoint: emu.kms.url, retry: NO_RETRY });
    const fc = new FcGateway({
      credentials: c,
      endpoint: emu.fc.url,
      accountId: emu.accountId,
      region: 'cn-hangzhou',
      apiVersion: '2016-08-15',
      retry: NO_RETRY,
    });
    const names = async () => {
      const out: string[] = [];
      for await (const page of oss.listBuckets()) out.push(...page.map((b) => b.name));
      return out;
    };
    const memberKey = emu.kms.stateFor('1000000000000001').listKeys('cn-hangzhou')[0];

    // Act
    const before = await names();
    const keyBefore = memberKey ? await kms.describeKey(memberKey.keyId, 'cn-hangzhou') : undefined;
    t += 16 * 60_000;
    const ossAfter = await names().catch((e) => e);
    const kmsAfter = memberKey
      ? await kms.describeKey(memberKey.keyId, 'cn-hangzhou').catch((e) => e)
      : undefined;
    const fcAfter = await fc
      .invokeAsync({ service: 'svc', functionName: 'fn' }, '{}')
      .catch((e: unknown) => e);

    // Assess
    expect(before.sort()).toEqual(['payments-ledger', 'payments-uploads']);
    expect(keyBefore?.state).toBe('Enabled');
    expect(memberKey?.arn).toContain(':1000000000000001:');
    expect(ossAfter.code).toBe('SecurityTokenExpired');
    expect(kmsAfter.code).toBe('InvalidSecurityToken.Expired');
    expect((fcAfter as { code?: string }).code).toBe('InvalidSecurityToken');
  });
});

describe('Resource Manager emulator', () => {
  it('pages ListAccounts, ListAccountsForParent and ListFoldersForParent with account status', async () => {
    // Prepare
    emu = await startEmulators({ seed: 'demo' });
    const rm = new ResourceManagerGateway({
      credentials: emu.credentials,
      endpoint: emu.resourceManager.url,
      pageSize: 2,
    });

    // Act
    const all = await rm.listAccounts();
    const folders = await rm.listFolders();
    const dev = folders.find((f) => f.folderName === 'Development');
    const inDev = await rm.listAccounts(dev?.folderId);

    // Assess
    expect(all).toHaveLength(6);
    expect(emu.resourceManager.faults.count('ListAccounts')).toBe(3);
    expect(all.find((a) => a.displayName === 'closing-account')?.status).toBe('CreateExpired');
    expect(all.find((a) => a.displayName === 'web-prod')?.status).toBe('InviteSuccess');
    expect(folders.map((f) => f.folderName).sort()).toEqual(['Development', 'Production']);
    expect(inDev.map((a) => a.displayName).sort()).toEqual(['closing-account', 'data-lake', 'dev-sandbox']);
    expect(inDev.every((a) => a.folderId === 'fd-dev0000001')).toBe(true);
    expect(all.find((a) => a.displayName === 'data-lake')?.path).toMatch(
      /^rd-[^/]+\/r-[^/]+\/fd-dev0000001\/\d+$/,
    );
  });

  it('refuses a member account and a caller whose RAM policy lacks the action', async () => {
    // Prepare
    emu = await startEmulators({ seed: 'demo' });
    const c = await sts(emu).assumeRole({ roleArn: ROLE, sessionName: 'ab' });
    emu.accounts.add({
      accessKeyId: 'NARROW',
      accessKeySecret: 'narrow-secret',
      policy: { Version: '1', Statement: [{ Effect: 'Allow', Action: 'oss:*', Resource: '*' }] },
    });
    const as = (credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }) =>
      new ResourceManagerGateway({ credentials, endpoint: emu?.resourceManager.url, retry: NO_RETRY });

    // Act
    const member = await as(c)
      .listAccounts()
      .catch((e) => e);
    const narrow = await as({ accessKeyId: 'NARROW', accessKeySecret: 'narrow-secret' })
      .listAccounts()
      .catch((e) => e);

    // Assess
    expect(member.code).toBe('EntityNotExists.ResourceDirectory');
    expect([narrow.code, narrow.status]).toEqual(['NoPermission', 403]);
  });
});
