/**
 * KMS emulator conformance: DescribeKey's `KeyMetadata` and the OSS service key, against the real
 * @alicloud/kms20160120 client over HTTP.
 *
 * Sources:
 * - KMS API reference "DescribeKey" (2016-01-20): the response fields and the JSON sample (CreationDate,
 *   Description, KeyId, KeySpec, KeyState, KeyUsage, PrimaryKeyVersion, DeleteDate, Creator, Arn, Origin,
 *   MaterialExpireTime, ProtectionLevel, LastRotationDate, AutomaticRotation, DeletionProtection);
 *   RotationInterval / NextRotationDate "returned only when AutomaticRotation is Enabled or Suspended";
 *   `Creator` is the Alibaba Cloud account for a customer key. The same field list is the SDK model
 *   `DescribeKey_KeyMetadata` of aliyun-openapi-net-sdk (adds DeletionProtectionDescription, DKMSInstanceId).
 * - KMS "Integration with KMS" (alibabacloud.com/help/doc-detail/141401.htm): each service creates one
 *   service key per region, "KMS sets the Creator attribute to the service code and associates the key
 *   with the alias acs/<service-code>. For example, OSS creates a key with Creator = OSS and alias
 *   acs/oss"; a service key cannot be enabled or disabled by the user.
 * - KMS "Manage a key alias": `alias/acs/<Cloud service>` is reserved for service keys.
 *
 * The typed client of @alicloud/kms20160120 1.2.0 drops fields its model lacks (DeletionProtection), so
 * the wire body is read through the client's own generic `doRequest`, as the product's gateway does.
 */
import * as kms from '@alicloud/kms20160120';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET } from '../../emulator/core/accounts.js';
import { type KmsEmulator, startKmsEmulator } from '../../emulator/kms/index.js';

type KmsClientClass = typeof kms.default.default;
const kmsDefault = kms.default as unknown as KmsClientClass | { default: KmsClientClass };
const KmsClient: KmsClientClass = typeof kmsDefault === 'function' ? kmsDefault : kmsDefault.default;
type KmsConfig = ConstructorParameters<typeof KmsClient>[0];
type Client = InstanceType<typeof KmsClient>;

let accounts: Accounts;
let emu: KmsEmulator;

function client(region = 'cn-hangzhou'): Client {
  return new KmsClient({
    accessKeyId: DEMO_ACCESS_KEY_ID,
    accessKeySecret: DEMO_ACCESS_KEY_SECRET,
    regionId: region,
    endpoint: emu.hostPort,
    protocol: 'http',
  } as KmsConfig);
}

/** One RPC call through the SDK's generic path; resolves with the JSON body, rejects with the SDK error. */
async function call(
  action: string,
  params: Record<string, string>,
  region = 'cn-hangzhou',
): Promise<Record<string, unknown>> {
  const body = await client(region).doRequest(
    action,
    'HTTP',
    'POST',
    '2016-01-20',
    'AK',
    { ...params, RegionId: region },
    null as unknown as Record<string, never>,
    {} as Parameters<Client['doRequest']>[7],
  );
  return body as Record<string, unknown>;
}

async function failure(p: Promise<unknown>): Promise<{ code?: string; data?: Record<string, unknown> }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; data?: Record<string, unknown> };
  }
  throw new Error('expected the call to fail');
}

const metadata = (body: Record<string, unknown>) => body.KeyMetadata as Record<string, string>;

beforeAll(async () => {
  accounts = new Accounts();
  accounts.add({ accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET });
  emu = await startKmsEmulator({ accounts });
});

afterAll(async () => {
  await emu.close();
});

describe('DescribeKey KeyMetadata (KMS API reference "DescribeKey")', () => {
  it('answers exactly the fields of the reference sample for a customer key, DeletionProtection included', async () => {
    // Prepare
    const created = metadata(await call('CreateKey', { Description: 'reports' }));

    // Act
    const meta = metadata(await call('DescribeKey', { KeyId: created.KeyId as string }));

    // Assess
    expect(Object.keys(meta).sort()).toEqual(
      [
        'Arn',
        'AutomaticRotation',
        'CreationDate',
        'Creator',
        'DeleteDate',
        'DeletionProtection',
        'Description',
        'KeyId',
        'KeySpec',
        'KeyState',
        'KeyUsage',
        'LastRotationDate',
        'MaterialExpireTime',
        'Origin',
        'PrimaryKeyVersion',
        'ProtectionLevel',
      ].sort(),
    );
    expect(meta.DeletionProtection).toBe('Disabled');
    expect(meta.Creator).toBe(accounts.accountId);
    expect(meta.KeySpec).toBe('Aliyun_AES_256');
    expect(meta.KeyUsage).toBe('ENCRYPT/DECRYPT');
    expect(meta.Origin).toBe('Aliyun_KMS');
    expect(meta.ProtectionLevel).toBe('SOFTWARE');
    expect(meta.AutomaticRotation).toBe('Disabled');
    expect(meta.DeleteDate).toBe('');
    expect(meta.Arn).toBe(`acs:kms:cn-hangzhou:${accounts.accountId}:key/${meta.KeyId}`);
  });

  it('resolves an alias to the key id in KeyMetadata.KeyId ("If KeyId is set to the alias or ARN, the ID is returned")', async () => {
    // Prepare
    const created = metadata(await call('CreateKey', {}));
    await call('CreateAlias', { KeyId: created.KeyId as string, AliasName: 'alias/conformance' });

    // Act
    const meta = metadata(await call('DescribeKey', { KeyId: 'alias/conformance' }));

    // Assess
    expect(meta.KeyId).toBe(created.KeyId);
  });

  it('answers Forbidden.KeyNotFound 404 with the documented body for an unknown key', async () => {
    // Act
    const err = await failure(call('DescribeKey', { KeyId: '00000000-0000-0000-0000-000000000000' }));

    // Assess
    expect(err.data?.Code).toBe('Forbidden.KeyNotFound');
    expect(err.data?.Message).toBe('The specified Key is not found.');
  });
});

describe('the OSS service key ("Integration with KMS": Creator = OSS, alias acs/oss)', () => {
  it('describes the service key by its reserved alias in each region where OSS created it, with Creator OSS', async () => {
    // Prepare
    const shanghai = emu.state.serviceKey('cn-shanghai');
    const beijing = emu.state.serviceKey('cn-beijing');

    // Act
    const inShanghai = metadata(await call('DescribeKey', { KeyId: 'alias/acs/oss' }, 'cn-shanghai'));
    const inBeijing = metadata(await call('DescribeKey', { KeyId: 'alias/acs/oss' }, 'cn-beijing'));
    const byId = metadata(await call('DescribeKey', { KeyId: shanghai.keyId }, 'cn-shanghai'));

    // Assess
    expect(inShanghai.KeyId).toBe(shanghai.keyId);
    expect(inBeijing.KeyId).toBe(beijing.keyId);
    expect(inShanghai.KeyId).not.toBe(inBeijing.KeyId);
    expect(byId.Creator).toBe('OSS');
    expect(byId.Creator).not.toBe(accounts.accountId);
    expect(byId.KeyState).toBe('Enabled');
    expect(byId.Origin).toBe('Aliyun_KMS');
    expect(byId.KeySpec).toBe('Aliyun_AES_256');
    expect(byId.Arn).toBe(`acs:kms:cn-shanghai:${accounts.accountId}:key/${shanghai.keyId}`);
  });

  it('keeps one service key per region however often OSS asks for it', () => {
    // Act
    const first = emu.state.serviceKey('ap-southeast-1');
    const second = emu.state.serviceKey('ap-southeast-1');

    // Assess
    expect(second.keyId).toBe(first.keyId);
    expect(emu.state.serviceKeys().filter((k) => k.region === 'ap-southeast-1')).toHaveLength(1);
  });

  it('has no service key in a region where OSS never encrypted anything', async () => {
    // Act
    const err = await failure(call('DescribeKey', { KeyId: 'alias/acs/oss' }, 'eu-central-1'));

    // Assess
    expect(err.data?.Code).toBe('Forbidden.AliasNotFound');
  });

  it('refuses to disable or schedule the deletion of a service key (managed by its service)', async () => {
    // Prepare
    const key = emu.state.serviceKey('cn-shenzhen');

    // Act
    const disable = await failure(call('DisableKey', { KeyId: key.keyId }, 'cn-shenzhen'));
    const schedule = await failure(
      call('ScheduleKeyDeletion', { KeyId: key.keyId, PendingWindowInDays: '7' }, 'cn-shenzhen'),
    );
    const after = metadata(await call('DescribeKey', { KeyId: key.keyId }, 'cn-shenzhen'));

    // Assess
    expect(disable.data?.Code).toBe('Forbidden.NoPermission');
    expect(schedule.data?.Code).toBe('Forbidden.NoPermission');
    expect(after.KeyState).toBe('Enabled');
    expect(after.DeletionProtection).toBe('Enabled');
  });

  it('refuses a customer alias under the reserved alias/acs/ prefix ("Manage a key alias")', async () => {
    // Prepare
    const created = metadata(await call('CreateKey', {}));

    // Act
    const err = await failure(
      call('CreateAlias', { KeyId: created.KeyId as string, AliasName: 'alias/acs/oss' }),
    );

    // Assess
    expect(err.data?.Code).toBe('InvalidParameter');
  });
});

describe('request counting (a test aid, not a KMS feature)', () => {
  it('counts DescribeKey requests per region and KeyId as they reach the emulator', async () => {
    // Prepare
    const created = metadata(await call('CreateKey', {}, 'cn-qingdao'));
    const keyId = created.KeyId as string;

    // Act
    await call('DescribeKey', { KeyId: keyId }, 'cn-qingdao');
    await call('DescribeKey', { KeyId: keyId }, 'cn-qingdao');
    await failure(call('DescribeKey', { KeyId: keyId }, 'cn-zhangjiakou'));

    // Assess
    const calls = emu.calls('DescribeKey').filter((c) => c.keyId === keyId);
    expect(calls).toEqual(
      expect.arrayContaining([
        { region: 'cn-qingdao', keyId, count: 2 },
        { region: 'cn-zhangjiakou', keyId, count: 1 },
      ]),
    );
    expect(calls).toHaveLength(2);
  });
});
