/**
 * Bucket inventory in the OSS emulator, driven by ali-oss 6.x's own putBucketInventory /
 * getBucketInventory / listBucketInventory / deleteBucketInventory over HTTP, and the delivery of an
 * inventory (manifest.json + gzipped CSV) read back with GetObject.
 *
 * Sources: OSS API reference "PutBucketInventory" / "GetBucketInventory" / "ListBucketInventory" /
 * "DeleteBucketInventory"; error center 0020-00000004, -00000007, -00000012, -00000016, -00000035,
 * -00000036; aliyun-oss-python-sdk tests/test_bucket_inventory.py (round trip of a rule, NoSuchInventory
 * for a bucket without rules, 120 rules listed as 100 + 20); user guide "Bucket inventory" (layout).
 */
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../emulator/core/accounts.js';
import {
  deliverDueInventories,
  deliverInventory,
  type OssEmulator,
  startOssEmulator,
} from '../../emulator/oss/index.js';
import { failure, type OssClient, ossClient } from '../helpers/oss-test-client.js';

const AK = { accessKeyId: 'EMUAKIDINV', accessKeySecret: 'inv-secret' };

/** ali-oss 6.x inventory methods (lib/common/bucket/*BucketInventory.js); @types/ali-oss lacks them. */
interface Inventory {
  id: string;
  isEnabled: boolean;
  prefix?: string;
  OSSBucketDestination: {
    format: 'CSV';
    accountId: string;
    rolename: string;
    bucket: string;
    prefix?: string;
    encryption?: { 'SSE-OSS': '' } | { 'SSE-KMS': { keyId: string } };
  };
  frequency: 'Daily' | 'Weekly';
  includedObjectVersions: 'All' | 'Current';
  optionalFields?: { field?: string[] };
}
interface InventoryClient {
  putBucketInventory(bucket: string, inventory: Inventory): Promise<{ status: number }>;
  getBucketInventory(
    bucket: string,
    id: string,
  ): Promise<{ status: number; inventory: Record<string, unknown> }>;
  listBucketInventory(
    bucket: string,
    options?: { continuationToken?: string },
  ): Promise<{ isTruncated: boolean; nextContinuationToken?: string; inventoryList: Array<{ id: string }> }>;
  deleteBucketInventory(bucket: string, id: string): Promise<{ status: number }>;
  get(key: string): Promise<{ content: Buffer; res: { headers: Record<string, string> } }>;
}

let emu: OssEmulator;
let oss: InventoryClient;
let raw: OssClient;

const rule = (id: string, over: Partial<Inventory> = {}): Inventory => ({
  id,
  isEnabled: true,
  prefix: 'obj-prefix',
  OSSBucketDestination: {
    format: 'CSV',
    accountId: '1000000000000000',
    rolename: 'AliyunOSSRole',
    bucket: 'inv-dest',
    prefix: 'destination-prefix',
    encryption: { 'SSE-OSS': '' },
  },
  frequency: 'Weekly',
  includedObjectVersions: 'Current',
  optionalFields: {
    field: ['Size', 'LastModifiedDate', 'ETag', 'StorageClass', 'IsMultipartUploaded', 'EncryptionStatus'],
  },
  ...over,
});

beforeAll(async () => {
  const accounts = new Accounts();
  accounts.add(AK);
  emu = await startOssEmulator({ accounts });
  emu.state.createBucket('inv-src', 'cn-hangzhou');
  emu.state.createBucket('inv-dest', 'cn-hangzhou');
  emu.state.createBucket('inv-empty', 'cn-hangzhou');
  emu.state.createBucket('inv-far', 'cn-shanghai');
  raw = ossClient({ url: emu.url, ...AK });
  oss = raw as unknown as InventoryClient;
});

afterAll(async () => {
  await emu.close();
});

describe('inventory configuration', () => {
  it('stores a rule and returns it as written (python SDK test_bucket_inventory round trip)', async () => {
    // Prepare
    await oss.putBucketInventory('inv-src', rule('test-id-3'));

    // Act
    const got = await oss.getBucketInventory('inv-src', 'test-id-3');

    // Assess
    const inv = got.inventory as unknown as Inventory & { optionalFields: { field: string[] } };
    expect(inv.id).toBe('test-id-3');
    expect(inv.isEnabled).toBe(true);
    expect(inv.prefix).toBe('obj-prefix');
    expect(inv.frequency).toBe('Weekly');
    expect(inv.includedObjectVersions).toBe('Current');
    expect(inv.OSSBucketDestination.bucket).toBe('inv-dest');
    expect(inv.OSSBucketDestination.rolename).toBe('AliyunOSSRole');
    expect(inv.OSSBucketDestination.prefix).toBe('destination-prefix');
    expect(Object.keys(inv.OSSBucketDestination.encryption ?? {})).toEqual(['SSE-OSS']);
    expect(inv.optionalFields.field).toHaveLength(6);
  });

  it('answers 404 NoSuchInventory for an unknown rule and for a bucket without any (python SDK test_list_none_inventory)', async () => {
    // Act
    const one = await failure(oss.getBucketInventory('inv-src', 'nope'));
    const list = await failure(oss.listBucketInventory('inv-empty'));

    // Assess
    expect([one.status, one.code]).toEqual([404, 'NoSuchInventory']);
    expect([list.status, list.code]).toEqual([404, 'NoSuchInventory']);
  });

  it('lists 120 rules as a page of 100 and a page of 20 (python SDK test_list_lot_bucket_inventory)', async () => {
    // Prepare
    for (let i = 0; i < 120; i += 1)
      await oss.putBucketInventory('inv-dest', rule(`lot-${String(i).padStart(3, '0')}`));

    // Act
    const first = await oss.listBucketInventory('inv-dest');
    const second = await oss.listBucketInventory('inv-dest', {
      continuationToken: first.nextContinuationToken as string,
    });

    // Assess
    expect(first.inventoryList).toHaveLength(100);
    expect(first.isTruncated).toBe(true);
    expect(second.inventoryList).toHaveLength(20);
    expect(second.isTruncated).toBe(false);
    expect(second.inventoryList.at(-1)?.id).toBe('lot-119');
  });

  it('deletes a rule with 204', async () => {
    // Prepare
    await oss.putBucketInventory('inv-src', rule('to-delete'));

    // Act
    const del = await oss.deleteBucketInventory('inv-src', 'to-delete');
    const after = await failure(oss.getBucketInventory('inv-src', 'to-delete'));

    // Assess
    expect(del.status).toBe(204);
    expect(after.code).toBe('NoSuchInventory');
  });

  it('accepts a rule with no optional fields or a single one (ali-oss test/node/bucket.test.js inventory())', async () => {
    // Act
    await oss.putBucketInventory('inv-src', rule('test_optionalFields', { optionalFields: {} }));
    await oss.putBucketInventory(
      'inv-src',
      rule('test_field_is_one', { optionalFields: { field: ['Size'] } }),
    );
    const none = await oss.getBucketInventory('inv-src', 'test_optionalFields');
    const one = await oss.getBucketInventory('inv-src', 'test_field_is_one');

    // Assess
    expect((none.inventory as { optionalFields?: unknown }).optionalFields ?? '').toBeFalsy();
    expect((one.inventory as { optionalFields: { field: string[] } }).optionalFields.field).toEqual(['Size']);
  });

  it('refuses an optional field it does not know (error center 0020-00000036)', async () => {
    // Act
    const err = await failure(
      oss.putBucketInventory('inv-src', rule('bad', { optionalFields: { field: ['Size', 'StartTime'] } })),
    );

    // Assess
    expect([err.status, err.ecCode]).toEqual([400, '0020-00000036']);
  });

  it('refuses both SSE-OSS and SSE-KMS, and a KeyId under SSE-OSS (error center 0020-00000016, 0020-00000035)', async () => {
    // Prepare
    const xml = (enc: string) =>
      Buffer.from(
        `<?xml version="1.0" encoding="UTF-8"?><InventoryConfiguration><Id>e1</Id><IsEnabled>true</IsEnabled><Destination><OSSBucketDestination><Format>CSV</Format><AccountId>1</AccountId><RoleArn>acs:ram::1:role/AliyunOSSRole</RoleArn><Bucket>acs:oss:::inv-dest</Bucket><Prefix>p</Prefix><Encryption>${enc}</Encryption></OSSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>Current</IncludedObjectVersions></InventoryConfiguration>`,
      );
    const put = (enc: string) =>
      raw.request({
        method: 'PUT',
        bucket: 'inv-src',
        subres: { inventory: '', inventoryId: 'e1' },
        content: xml(enc),
        mime: 'xml',
        successStatuses: [200],
      });

    // Act
    const both = await failure(put('<SSE-KMS><KeyId>k</KeyId></SSE-KMS><SSE-OSS></SSE-OSS>'));
    const keyed = await failure(put('<SSE-OSS><KeyId>k</KeyId></SSE-OSS>'));

    // Assess
    expect([both.status, both.ecCode]).toEqual([400, '0020-00000016']);
    expect([keyed.status, keyed.ecCode]).toEqual([400, '0020-00000035']);
  });

  it('refuses a rule without IsEnabled or Format, and a body whose root is not InventoryConfiguration (0020-00000007, -00000012, -00000004)', async () => {
    // Prepare
    const put = (body: string) =>
      raw.request({
        method: 'PUT',
        bucket: 'inv-src',
        subres: { inventory: '', inventoryId: 'r1' },
        content: Buffer.from(body),
        mime: 'xml',
        successStatuses: [200],
      });
    const dest = (format: string) =>
      `<Destination><OSSBucketDestination>${format}<Bucket>acs:oss:::inv-dest</Bucket></OSSBucketDestination></Destination><Schedule><Frequency>Daily</Frequency></Schedule><IncludedObjectVersions>All</IncludedObjectVersions>`;

    // Act
    const noEnabled = await failure(
      put(`<InventoryConfiguration><Id>r1</Id>${dest('<Format>CSV</Format>')}</InventoryConfiguration>`),
    );
    const noFormat = await failure(
      put(
        `<InventoryConfiguration><Id>r1</Id><IsEnabled>true</IsEnabled>${dest('')}</InventoryConfiguration>`,
      ),
    );
    const badRoot = await failure(put('<RootNode><Id>r1</Id></RootNode>'));

    // Assess
    expect(noEnabled.ecCode).toBe('0020-00000007');
    expect(noFormat.ecCode).toBe('0020-00000012');
    expect([badRoot.status, badRoot.ecCode]).toEqual([400, '0020-00000004']);
  });

  it('refuses a destination in another region (user guide: same account and region)', async () => {
    // Act
    const err = await failure(
      oss.putBucketInventory(
        'inv-src',
        rule('far', { OSSBucketDestination: { ...rule('x').OSSBucketDestination, bucket: 'inv-far' } }),
      ),
    );

    // Assess
    expect(err.status).toBe(400);
  });
});

describe('inventory delivery', () => {
  it('writes manifest.json and gzipped CSV in the documented layout, keys URL-encoded, encrypted as configured', async () => {
    // Prepare
    emu.state.putObject('inv-src', 'obj-prefix/a b.txt', 'plain', { sse: null });
    emu.state.putObject('inv-src', 'obj-prefix/kms.txt', 'secret', { sse: { algorithm: 'KMS' } });
    emu.state.putObject('inv-src', 'other/skip.txt', 'x');
    await oss.putBucketInventory('inv-src', rule('daily', { frequency: 'Daily' }));

    // Act
    const d = deliverInventory(emu.state, 'inv-src', 'daily', { at: new Date('2026-11-30T16:00:00Z') });
    const dest = raw.useBucket('inv-dest') as unknown as InventoryClient;
    const manifestObj = await dest.get(d.manifestKey);
    const manifest = JSON.parse(manifestObj.content.toString());
    const file = await dest.get(manifest.files[0].key);
    const rows = gunzipSync(file.content).toString().trim().split('\n');

    // Assess
    expect(d.manifestKey).toBe('destination-prefix/inv-src/daily/2026-11-30T16-00Z/manifest.json');
    expect(manifest.files[0].key).toMatch(/^destination-prefix\/inv-src\/daily\/data\/[0-9a-f-]+\.csv\.gz$/);
    expect(manifest.fileSchema).toBe(
      'Bucket, Key, Size, LastModifiedDate, ETag, StorageClass, IsMultipartUploaded, EncryptionStatus',
    );
    expect(manifestObj.res.headers['x-oss-server-side-encryption']).toBe('AES256');
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(
      /^"inv-src","obj-prefix%2Fa%20b\.txt","5","[^"]+","[0-9A-F]{32}","Standard","false","false"$/,
    );
    expect(rows[1]?.endsWith('"true"')).toBe(true);
  });

  it('delivers on the clock tick once per schedule period, and not for a disabled rule', async () => {
    // Prepare
    emu.state.createBucket('inv-tick', 'cn-hangzhou');
    emu.state.putObject('inv-tick', 'a.txt', 'a');
    await oss.putBucketInventory('inv-tick', rule('tick-daily', { frequency: 'Daily', prefix: '' }));
    await oss.putBucketInventory('inv-tick', rule('tick-off', { isEnabled: false, prefix: '' }));
    const last = new Map<string, number>();
    const t0 = new Date('2026-11-01T00:00:00Z');

    // Act
    const first = deliverDueInventories(emu.state, ['inv-tick'], t0, last);
    const sameDay = deliverDueInventories(emu.state, ['inv-tick'], new Date(t0.getTime() + 3_600_000), last);
    const nextDay = deliverDueInventories(emu.state, ['inv-tick'], new Date(t0.getTime() + 86_400_000), last);

    // Assess
    expect(first.map((d) => d.manifestKey)).toEqual([
      'destination-prefix/inv-tick/tick-daily/2026-11-01T00-00Z/manifest.json',
    ]);
    expect(sameDay).toHaveLength(0);
    expect(nextDay).toHaveLength(1);
    expect(first[0]?.rows).toBe(1);
  });
});
