/**
 * KMS emulator conformance: CreateKey's documented `ProtectionLevel` and `Origin`, against the real
 * @alicloud/kms20160120 client (its typed CreateKeyRequest sends both).
 *
 * Sources: KMS API reference "CreateKey" (2016-01-20): `Origin` Aliyun_KMS (default) or EXTERNAL ("you
 * import key material"; default keys of the CMK type support both), case-sensitive; `ProtectionLevel`
 * SOFTWARE or HSM; `KeySpec` Aliyun_AES_256 (default), Aliyun_SM4, RSA_2048, RSA_3072, EC_P256, EC_P256K,
 * EC_SM2. "Import key material into a symmetric key": a key created with Origin EXTERNAL is PendingImport
 * until its material is imported.
 */
import * as kms from '@alicloud/kms20160120';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET } from '../../emulator/core/accounts.js';
import { type KmsEmulator, startKmsEmulator } from '../../emulator/kms/index.js';

type KmsClientClass = typeof kms.default.default;
const kmsDefault = kms.default as unknown as KmsClientClass | { default: KmsClientClass };
const KmsClient: KmsClientClass = typeof kmsDefault === 'function' ? kmsDefault : kmsDefault.default;
type KmsConfig = ConstructorParameters<typeof KmsClient>[0];

let emu: KmsEmulator;
const client = () =>
  new KmsClient({
    accessKeyId: DEMO_ACCESS_KEY_ID,
    accessKeySecret: DEMO_ACCESS_KEY_SECRET,
    regionId: 'cn-hangzhou',
    endpoint: emu.hostPort,
    protocol: 'http',
  } as KmsConfig);

beforeAll(async () => {
  const accounts = new Accounts();
  accounts.add({ accessKeyId: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET });
  emu = await startKmsEmulator({ accounts });
});

afterAll(async () => {
  await emu.close();
});

describe('CreateKey (KMS API reference "CreateKey")', () => {
  it('creates an HSM-protected key and DescribeKey reports ProtectionLevel HSM', async () => {
    // Act
    const created = await client().createKey(new kms.CreateKeyRequest({ protectionLevel: 'HSM' }));
    const described = await client().describeKey(
      new kms.DescribeKeyRequest({ keyId: created.keyMetadata.keyId }),
    );

    // Assess
    expect(created.keyMetadata.protectionLevel).toBe('HSM');
    expect(described.keyMetadata.protectionLevel).toBe('HSM');
    expect(described.keyMetadata.keyState).toBe('Enabled');
  });

  it('creates an EXTERNAL-origin key in PendingImport, with Origin EXTERNAL', async () => {
    // Act
    const created = await client().createKey(
      new kms.CreateKeyRequest({ origin: 'EXTERNAL', protectionLevel: 'HSM' }),
    );
    const described = await client().describeKey(
      new kms.DescribeKeyRequest({ keyId: created.keyMetadata.keyId }),
    );

    // Assess
    expect(described.keyMetadata.origin).toBe('EXTERNAL');
    expect(described.keyMetadata.protectionLevel).toBe('HSM');
    expect(described.keyMetadata.keyState).toBe('PendingImport');
  });

  it('defaults to Origin Aliyun_KMS, ProtectionLevel SOFTWARE, KeySpec Aliyun_AES_256, ENCRYPT/DECRYPT', async () => {
    // Act
    const created = await client().createKey(new kms.CreateKeyRequest({}));

    // Assess
    expect(created.keyMetadata.origin).toBe('Aliyun_KMS');
    expect(created.keyMetadata.protectionLevel).toBe('SOFTWARE');
    expect(created.keyMetadata.keySpec).toBe('Aliyun_AES_256');
    expect(created.keyMetadata.keyUsage).toBe('ENCRYPT/DECRYPT');
  });

  it('rejects a value outside the documented ones, case-sensitively ("external", "hsm")', async () => {
    // Act
    const origin = await client()
      .createKey(new kms.CreateKeyRequest({ origin: 'external' }))
      .catch((err: { data?: Record<string, unknown> }) => err);
    const level = await client()
      .createKey(new kms.CreateKeyRequest({ protectionLevel: 'hsm' }))
      .catch((err: { data?: Record<string, unknown> }) => err);

    // Assess
    expect((origin as { data?: Record<string, unknown> }).data?.Code).toBe('InvalidParameter');
    expect((level as { data?: Record<string, unknown> }).data?.Code).toBe('InvalidParameter');
  });
});
