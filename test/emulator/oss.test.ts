/**
 * The OSS emulator driven by the real ali-oss client over HTTP: signatures, regions, paging, RAM,
 * encryption rules, object SSE, copies, multipart, listings and faults.
 */
import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Accounts } from '../../emulator/core/accounts.js';
import { Faults } from '../../emulator/core/faults.js';
import {
  type CreateBucketOptions,
  type KmsKeyLookup,
  type OssEmulator,
  startOssEmulator,
} from '../../emulator/oss/index.js';
import {
  failure,
  type OssClient,
  ossClient,
  putEncryptionXml,
  rawRequest,
} from '../helpers/oss-test-client.js';

const fixture = (name: string) => readFileSync(new URL(`../fixtures/oss/${name}`, import.meta.url), 'utf8');

const AK = { accessKeyId: 'EMUAKIDMAIN', accessKeySecret: 'main-secret' };
const STS = { accessKeyId: 'STS.EMUTEMP', accessKeySecret: 'sts-secret', securityToken: 'sts-token-1' };
const READER = { accessKeyId: 'EMUAKIDREADER', accessKeySecret: 'reader-secret' };

const kmsKeys = new Map<string, { keyId: string; state: string; region: string }>([
  ['key-enabled', { keyId: 'key-enabled', state: 'Enabled', region: 'cn-hangzhou' }],
  ['key-disabled', { keyId: 'key-disabled', state: 'Disabled', region: 'cn-hangzhou' }],
  ['key-pending', { keyId: 'key-pending', state: 'PendingDeletion', region: 'cn-hangzhou' }],
  ['key-shanghai', { keyId: 'key-shanghai', state: 'Enabled', region: 'cn-shanghai' }],
  ['key-rotating', { keyId: 'key-rotating', state: 'Enabled', region: 'cn-hangzhou' }],
]);
const kms: KmsKeyLookup = (id) => kmsKeys.get(id === 'alias/prod' ? 'key-enabled' : id);

const clock = { offsetMs: 0 };
let emu: OssEmulator;
let faults: Faults;
let v1: OssClient;
let v4: OssClient;

const client = (o: Partial<Parameters<typeof ossClient>[0]> = {}) => ossClient({ url: emu.url, ...AK, ...o });
const seedBucket = (name: string, region = 'cn-hangzhou', opts: CreateBucketOptions = {}) =>
  emu.state.createBucket(name, region, opts);

beforeAll(async () => {
  const accounts = new Accounts();
  accounts.add(AK);
  accounts.add(STS);
  accounts.add({
    ...READER,
    policy: {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: ['oss:ListBuckets'], Resource: ['acs:oss:*:*:*'] },
        {
          Effect: 'Allow',
          Action: ['oss:GetBucketEncryption', 'oss:GetObject'],
          Resource: ['acs:oss:*:*:ro-*'],
        },
      ],
    },
  });
  faults = new Faults(7);
  emu = await startOssEmulator({ accounts, faults, kms, now: () => new Date(Date.now() + clock.offsetMs) });
  v1 = client();
  v4 = client({ v4: true });
});

afterAll(async () => {
  await emu.close();
});

afterEach(() => {
  faults.clear();
  clock.offsetMs = 0;
});

describe('OSS emulator: signatures and credentials', () => {
  it.each([
    ['V1', false],
    ['V4', true],
  ])('accepts %s-signed requests from ali-oss', async (_name, useV4) => {
    // Prepare
    const bucket = `sig-ok-${useV4 ? 'v4' : 'v1'}`;
    const c = client({ v4: useV4, bucket });
    // Act
    await c.putBucket(bucket);
    await c.put('dir/a b+c&d.txt', Buffer.from('hello'), { meta: { owner: 'ops' } });
    const got = await c.get('dir/a b+c&d.txt');
    const listed = await c.listV2({ prefix: 'dir/', 'max-keys': 10 });
    // Assess
    expect(got.content.toString()).toBe('hello');
    expect(got.res.headers['x-oss-meta-owner']).toBe('ops');
    expect(listed.objects.map((o) => o.name)).toEqual(['dir/a b+c&d.txt']);
  });

  it.each([
    ['V1', false],
    ['V4', true],
  ])('rejects a wrong secret with SignatureDoesNotMatch (%s)', async (_name, useV4) => {
    // Prepare
    seedBucket(`sig-bad-${useV4 ? 'v4' : 'v1'}`);
    const c = client({ v4: useV4, accessKeySecret: 'not-the-secret' });
    // Act
    const err = await failure(c.getBucketInfo(`sig-bad-${useV4 ? 'v4' : 'v1'}`));
    const raw = await c.request({
      method: 'GET',
      bucket: `sig-bad-${useV4 ? 'v4' : 'v1'}`,
      subres: 'bucketInfo',
      successStatuses: [403],
    });
    // Assess
    expect(err).toMatchObject({ status: 403, code: 'SignatureDoesNotMatch' });
    expect(err.requestId).toMatch(/^[0-9A-F]{24}$/);
    expect(raw.data.toString()).toContain('<StringToSign>');
    expect(raw.data.toString()).toContain('<SignatureProvided>');
  });

  it('verifies V4 signatures that list AdditionalHeaders', async () => {
    // Prepare
    seedBucket('sig-additional');
    // Act
    const res = await v4.request({
      method: 'GET',
      bucket: 'sig-additional',
      subres: 'bucketInfo',
      additionalHeaders: ['User-Agent'],
      successStatuses: [200],
    });
    // Assess
    expect(res.status).toBe(200);
    expect(res.data.toString()).toContain('<Name>sig-additional</Name>');
  });

  it('rejects an unknown access key with InvalidAccessKeyId', async () => {
    // Act
    const err = await failure(client({ accessKeyId: 'NOSUCHKEY' }).listBuckets());
    // Assess
    expect(err).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  it('refuses an unsigned request with AccessDenied in the OSS error XML', async () => {
    // Act
    const res = await rawRequest(emu.url, 'GET', '/', 'oss-cn-hangzhou.aliyuncs.com');
    // Assess
    expect(res.status).toBe(403);
    expect(res.headers['content-type']).toBe('application/xml');
    expect(res.headers.server).toBe('AliyunOSS');
    expect(res.headers['x-oss-ec']).toBe('0003-00000001');
    expect(res.body).toMatch(
      new RegExp(
        `^<\\?xml version="1.0" encoding="UTF-8"\\?>\\n<Error><Code>AccessDenied</Code><Message>.+</Message><RequestId>${res.headers['x-oss-request-id']}</RequestId><HostId>oss-cn-hangzhou.aliyuncs.com</HostId><EC>0003-00000001</EC>`,
      ),
    );
  });

  it('accepts an STS key only with its security token', async () => {
    // Prepare
    seedBucket('sts-bucket');
    const withToken = client({ ...STS, stsToken: STS.securityToken });
    // Act
    const ok = await withToken.getBucketInfo('sts-bucket');
    const missing = await failure(client({ ...STS }).getBucketInfo('sts-bucket'));
    const wrong = await failure(client({ ...STS, stsToken: 'forged' }).getBucketInfo('sts-bucket'));
    const onPermanentKey = await failure(client({ stsToken: 'any' }).getBucketInfo('sts-bucket'));
    // Assess
    expect(ok.bucket.Name).toBe('sts-bucket');
    expect(missing).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
    expect(wrong).toMatchObject({ status: 403, code: 'InvalidSecurityToken' });
    expect(onPermanentKey).toMatchObject({ status: 403, code: 'InvalidAccessKeyId' });
  });

  it('rejects a request whose clock is more than 15 minutes off with RequestTimeTooSkewed', async () => {
    // Prepare
    clock.offsetMs = 16 * 60 * 1000;
    // Act
    const errV1 = await failure(v1.listBuckets());
    const errV4 = await failure(v4.listBuckets());
    // Assess
    expect(errV1).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
    expect(errV4).toMatchObject({ status: 403, code: 'RequestTimeTooSkewed' });
  });

  it('serves a V1 presigned URL and refuses it once expired', async () => {
    // Prepare: ali-oss refuses to presign for an IP endpoint, so sign for the region's host name.
    emu.state.createBucket('presigned', 'cn-hangzhou');
    emu.state.putObject('presigned', 'report.csv', 'a,b');
    const signer = ossClient({ url: 'http://oss-cn-hangzhou.aliyuncs.com', ...AK, bucket: 'presigned' });
    const fresh = new URL(signer.signatureUrl('report.csv', { expires: 60 }));
    const stale = new URL(signer.signatureUrl('report.csv', { expires: -1 }));
    const refusesIp = await failure(
      Promise.resolve().then(() => client({ bucket: 'presigned' }).signatureUrl('k')),
    );
    // Act
    const ok = await rawRequest(emu.url, 'GET', fresh.pathname + fresh.search, fresh.host);
    const expired = await rawRequest(emu.url, 'GET', stale.pathname + stale.search, stale.host);
    // The same signature holds path-style: the canonical resource is /bucket/key either way.
    const pathStyle = await rawRequest(
      emu.url,
      'GET',
      `/presigned${fresh.pathname}${fresh.search}`,
      'oss-cn-hangzhou.aliyuncs.com',
    );
    // Assess
    expect(fresh.host).toBe('presigned.oss-cn-hangzhou.aliyuncs.com');
    expect(refusesIp.message).toBe('can not get the object URL when endpoint is IP');
    expect(ok.status).toBe(200);
    expect(ok.body).toBe('a,b');
    expect(pathStyle.body).toBe('a,b');
    expect(expired.status).toBe(403);
    expect(expired.body).toContain('Request has expired.');
  });
});

describe('OSS emulator: ListBuckets', () => {
  it('lists 2,500 buckets of four regions in pages of 1,000 with marker', async () => {
    // Prepare
    const regions = ['cn-hangzhou', 'cn-shanghai', 'cn-beijing', 'cn-shenzhen'];
    for (let i = 0; i < 2500; i += 1) seedBucket(`bulk-${String(i).padStart(5, '0')}`, regions[i % 4]);
    // Act
    const pages: { count: number; truncated: boolean }[] = [];
    const seen: { name: string; region: string }[] = [];
    let marker: string | null = '';
    while (marker !== null) {
      const page = await v1.listBuckets({ 'max-keys': 1000, ...(marker ? { marker } : {}) });
      pages.push({ count: page.buckets?.length ?? 0, truncated: page.isTruncated });
      seen.push(...(page.buckets ?? []));
      marker = page.isTruncated ? page.nextMarker : null;
    }
    // Assess
    expect(seen).toHaveLength(emu.state.bucketCount);
    expect(pages[0]).toEqual({ count: 1000, truncated: true });
    const bulk = seen.filter((b) => b.name.startsWith('bulk-'));
    expect(bulk).toHaveLength(2500);
    expect(bulk[1]).toMatchObject({ name: 'bulk-00001', region: 'oss-cn-shanghai' });
    expect([...seen.map((b) => b.name)].sort()).toEqual(seen.map((b) => b.name));
  });

  it('filters by prefix and pages inside the prefix', async () => {
    // Act
    const first = await v4.listBuckets({ prefix: 'bulk-0249', 'max-keys': 6 });
    const rest = await v4.listBuckets({ prefix: 'bulk-0249', marker: first.nextMarker ?? '' });
    // Assess
    expect(first.buckets?.map((b) => b.name)).toEqual([
      'bulk-02490',
      'bulk-02491',
      'bulk-02492',
      'bulk-02493',
      'bulk-02494',
      'bulk-02495',
    ]);
    expect(first).toMatchObject({
      isTruncated: true,
      nextMarker: 'bulk-02495',
      owner: { id: '1234567890123456' },
    });
    expect(rest.buckets?.map((b) => b.name)).toEqual([
      'bulk-02496',
      'bulk-02497',
      'bulk-02498',
      'bulk-02499',
    ]);
    expect(rest.isTruncated).toBe(false);
  });

  it('returns buckets: null through ali-oss for an empty page', async () => {
    // Act
    const page = await v1.listBuckets({ prefix: 'no-such-prefix-' });
    // Assess
    expect(page.buckets).toBeNull();
    expect(page.isTruncated).toBe(false);
  });

  it('rejects max-keys outside 1..1000 with InvalidArgument', async () => {
    // Act
    const tooMany = await failure(v1.listBuckets({ 'max-keys': 1001 }));
    const notANumber = await failure(v1.listBuckets({ 'max-keys': 'ten' }));
    // Assess
    expect(tooMany).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(notANumber).toMatchObject({ status: 400, code: 'InvalidArgument' });
  });

  it("lists every region's buckets whichever region's endpoint is asked", async () => {
    // Act
    const page = await client({ region: 'oss-cn-beijing' }).listBuckets({
      prefix: 'bulk-0000',
      'max-keys': 4,
    });
    // Assess
    expect(page.buckets?.map((b) => b.region)).toEqual([
      'oss-cn-hangzhou',
      'oss-cn-shanghai',
      'oss-cn-beijing',
      'oss-cn-shenzhen',
    ]);
  });
});

describe('OSS emulator: buckets', () => {
  it('creates a bucket in the region of the endpoint it is sent to', async () => {
    // Prepare
    const shenzhen = client({ region: 'oss-cn-shenzhen' });
    // Act
    const created = await shenzhen.putBucket('made-in-shenzhen');
    const location = await v1.getBucketLocation('made-in-shenzhen');
    // Assess
    expect(created.bucket).toBe('made-in-shenzhen');
    expect(location.location).toBe('oss-cn-shenzhen');
    expect(emu.state.getBucket('made-in-shenzhen')?.region).toBe('cn-shenzhen');
  });

  it('refuses a taken name with BucketAlreadyExists and a malformed one with InvalidBucketName', async () => {
    // Prepare
    seedBucket('taken-name');
    // Act
    const taken = await failure(v1.putBucket('taken-name'));
    const invalid = await failure(v1.request({ method: 'PUT', bucket: 'Bad_Name', successStatuses: [200] }));
    // Assess
    expect(taken).toMatchObject({ status: 409, code: 'BucketAlreadyExists' });
    expect(invalid).toMatchObject({ status: 400, code: 'InvalidBucketName' });
  });

  it('deletes an empty bucket with 204 and refuses a non-empty one with BucketNotEmpty', async () => {
    // Prepare
    seedBucket('empty-one');
    seedBucket('full-one');
    emu.state.putObject('full-one', 'k', 'v');
    // Act
    const deleted = await v4.deleteBucket('empty-one');
    const notEmpty = await failure(v4.deleteBucket('full-one'));
    const missing = await failure(v4.deleteBucket('empty-one'));
    // Assess
    expect(deleted.res.status).toBe(204);
    expect(notEmpty).toMatchObject({ status: 409, code: 'BucketNotEmpty' });
    expect(missing).toMatchObject({ status: 404, code: 'NoSuchBucket', ecCode: '0015-00000101' });
  });

  it("refuses a bucket reached through another region's endpoint and names the right endpoint", async () => {
    // Prepare
    seedBucket('lives-in-hangzhou');
    const shanghai = client({ region: 'oss-cn-shanghai' });
    // Act
    const err = await failure(shanghai.getBucketEncryption('lives-in-hangzhou'));
    const raw = await shanghai.request({
      method: 'GET',
      bucket: 'lives-in-hangzhou',
      subres: 'encryption',
      successStatuses: [403],
    });
    // Assess
    expect(err).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(err.message).toContain('must be addressed using the specified endpoint');
    expect(raw.data.toString()).toContain(
      '<Endpoint>lives-in-hangzhou.oss-cn-hangzhou.aliyuncs.com</Endpoint>',
    );
  });

  it('reports bucket info with location, owner and encryption rule (None without one)', async () => {
    // Prepare
    seedBucket('info-plain', 'cn-beijing');
    seedBucket('info-kms', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: 'key-enabled' },
    });
    // Act
    const plain = await client({ region: 'oss-cn-beijing' }).getBucketInfo('info-plain');
    const kmsInfo = await v4.getBucketInfo('info-kms');
    // Assess
    expect(plain.bucket).toMatchObject({
      Name: 'info-plain',
      Location: 'oss-cn-beijing',
      Owner: { ID: '1234567890123456' },
      ServerSideEncryptionRule: { SSEAlgorithm: 'None' },
    });
    expect(kmsInfo.bucket.ServerSideEncryptionRule).toEqual({
      SSEAlgorithm: 'KMS',
      KMSMasterKeyID: 'key-enabled',
    });
  });

  it('stores and returns bucket tags', async () => {
    // Prepare
    seedBucket('tagged-bucket');
    // Act
    await v4.putBucketTags('tagged-bucket', { env: 'prod', team: 'sec' });
    const read = await v1.getBucketTags('tagged-bucket');
    // Assess
    expect(read.tag).toEqual({ env: 'prod', team: 'sec' });
    expect(emu.state.getBucket('tagged-bucket')?.tags).toEqual({ env: 'prod', team: 'sec' });
  });

  it('denies what the RAM policy of the access key does not allow with AccessDenied', async () => {
    // Prepare
    seedBucket('ro-allowed', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    seedBucket('rw-other');
    const reader = client(READER);
    // Act
    const listed = await reader.listBuckets({ prefix: 'ro-' });
    const read = await reader.getBucketEncryption('ro-allowed');
    const write = await failure(reader.putBucketEncryption('ro-allowed', { SSEAlgorithm: 'KMS' }));
    const other = await failure(reader.getBucketEncryption('rw-other'));
    // Assess
    expect(listed.buckets?.map((b) => b.name)).toEqual(['ro-allowed']);
    expect(read.encryption.SSEAlgorithm).toBe('AES256');
    expect(write).toMatchObject({ status: 403, code: 'AccessDenied' });
    expect(other).toMatchObject({ status: 403, code: 'AccessDenied' });
  });
});

describe('OSS emulator: bucket encryption', () => {
  it('answers 404 NoSuchServerSideEncryptionRule for a bucket without a rule', async () => {
    // Prepare
    seedBucket('no-rule');
    // Act
    const err = await failure(v1.getBucketEncryption('no-rule'));
    // Assess
    expect(err).toMatchObject({ status: 404, code: 'NoSuchServerSideEncryptionRule' });
  });

  const rules: { SSEAlgorithm: string; KMSMasterKeyID?: string }[] = [
    { SSEAlgorithm: 'AES256' },
    { SSEAlgorithm: 'KMS' },
    { SSEAlgorithm: 'KMS', KMSMasterKeyID: 'key-enabled' },
    { SSEAlgorithm: 'SM4' },
  ];
  it.each(rules.map((r) => [r]))('stores the rule %o and reads it back', async (rule) => {
    // Prepare
    const name = `rule-${rule.SSEAlgorithm.toLowerCase()}-${rule.KMSMasterKeyID ? 'cmk' : 'default'}`;
    seedBucket(name);
    // Act
    const put = await v4.putBucketEncryption(name, rule);
    const read = await v1.getBucketEncryption(name);
    // Assess
    expect(put.status).toBe(200);
    expect(read.encryption).toEqual(rule);
  });

  it('stores KMSDataEncryption SM4 sent through the signed request path', async () => {
    // Prepare
    seedBucket('rule-kms-sm4');
    // Act
    const put = await putEncryptionXml(v4, 'rule-kms-sm4', fixture('put-bucket-encryption-kms-sm4.xml'));
    const read = await v1.getBucketEncryption('rule-kms-sm4');
    const info = await v1.getBucketInfo('rule-kms-sm4');
    // Assess
    expect(put.status).toBe(200);
    expect(read.encryption).toEqual({
      SSEAlgorithm: 'KMS',
      KMSDataEncryption: 'SM4',
      KMSMasterKeyID: '9468da86-3509-4f8d-a61e-6eab1eac****',
    });
    expect(info.bucket.ServerSideEncryptionRule.KMSDataEncryption).toBe('SM4');
  });

  it('validates rules as OSS does', async () => {
    // Prepare
    seedBucket('rule-invalid');
    // Act
    const keyWithAes = await failure(
      v1.putBucketEncryption('rule-invalid', { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'key-enabled' }),
    );
    const unknown = await failure(v1.putBucketEncryption('rule-invalid', { SSEAlgorithm: 'DES' }));
    const dataNotSm4 = await failure(
      putEncryptionXml(v1, 'rule-invalid', fixture('put-bucket-encryption-bad-data-encryption.xml')),
    );
    const malformed = await failure(putEncryptionXml(v1, 'rule-invalid', '<ServerSideEncryptionRule><Apply'));
    // Assess
    expect(keyWithAes).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(keyWithAes.message).toBe(
      'KMSMasterKeyID is not applicable if the default sse algorithm is not KMS',
    );
    expect(unknown).toMatchObject({ status: 400, code: 'InvalidEncryptionAlgorithmError' });
    expect(dataNotSm4).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(malformed).toMatchObject({ status: 400, code: 'MalformedXML' });
    expect(emu.state.getBucket('rule-invalid')?.encryption).toBeNull();
  });

  it('accepts KMSDataEncryption next to AES256 and drops it (oss2 test_put_bucket_encryption)', async () => {
    // Prepare
    seedBucket('rule-drop-data');
    const xml =
      '<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>AES256</SSEAlgorithm><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>';
    // Act
    const put = await putEncryptionXml(v1, 'rule-drop-data', xml);
    // Assess
    expect(put.status).toBe(200);
    expect(emu.state.getBucket('rule-drop-data')?.encryption).toEqual({ algorithm: 'AES256' });
  });

  it('accepts a KMS key it cannot use (no pre-flight) and deletes the rule with 204', async () => {
    // Prepare
    seedBucket('rule-any-key');
    // Act
    await v1.putBucketEncryption('rule-any-key', { SSEAlgorithm: 'KMS', KMSMasterKeyID: 'key-disabled' });
    const stored = emu.state.getBucket('rule-any-key')?.encryption;
    const deleted = await v1.deleteBucketEncryption('rule-any-key');
    const after = await failure(v1.getBucketEncryption('rule-any-key'));
    // Assess
    expect(stored).toEqual({ algorithm: 'KMS', kmsMasterKeyId: 'key-disabled' });
    expect(deleted.status).toBe(204);
    expect(after.code).toBe('NoSuchServerSideEncryptionRule');
  });
});

describe('OSS emulator: objects and SSE', () => {
  it('applies the bucket default to an upload without SSE headers and reports it in HEAD', async () => {
    // Prepare
    seedBucket('default-kms', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: 'key-enabled' },
    });
    const c = client({ bucket: 'default-kms', v4: true });
    // Act
    const put = await c.put('a.txt', Buffer.from('data'));
    const head = await c.head('a.txt');
    // Assess
    expect(put.res.headers['x-oss-server-side-encryption']).toBe('KMS');
    expect(head.res.headers['x-oss-server-side-encryption']).toBe('KMS');
    expect(head.res.headers['x-oss-server-side-encryption-key-id']).toBe('key-enabled');
    expect(head.res.headers.etag).toBe('"8D777F385D3DFEC8815D20F7496026DC"');
  });

  it("keeps the upload's own SSE headers over the bucket default", async () => {
    // Prepare
    const c = client({ bucket: 'default-kms' });
    // Act
    await c.put('own.txt', Buffer.from('x'), { headers: { 'x-oss-server-side-encryption': 'AES256' } });
    await c.put('sm4.txt', Buffer.from('x'), {
      headers: { 'x-oss-server-side-encryption': 'KMS', 'x-oss-server-side-data-encryption': 'SM4' },
    });
    // Assess
    expect(emu.state.getObject('default-kms', 'own.txt')?.sse).toEqual({ algorithm: 'AES256' });
    expect((await c.head('sm4.txt')).res.headers).toMatchObject({
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-data-encryption': 'SM4',
    });
  });

  it("does not carry the source's SSE to a copy", async () => {
    // Prepare
    seedBucket('copy-plain');
    seedBucket('copy-aes-default', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    emu.state.putObject('copy-plain', 'src.bin', 'secret', {
      sse: { algorithm: 'KMS', kmsKeyId: 'key-enabled' },
    });
    const c = client({ bucket: 'copy-plain' });
    // Act
    await c.copy('plain-copy.bin', 'src.bin');
    await c.copy('asked-copy.bin', 'src.bin', { headers: { 'x-oss-server-side-encryption': 'SM4' } });
    await client({ bucket: 'copy-aes-default' }).copy('default-copy.bin', 'src.bin', 'copy-plain');
    // Assess
    expect((await c.head('plain-copy.bin')).res.headers['x-oss-server-side-encryption']).toBeUndefined();
    expect((await c.head('asked-copy.bin')).res.headers['x-oss-server-side-encryption']).toBe('SM4');
    expect(emu.state.getObject('copy-aes-default', 'default-copy.bin')?.sse).toEqual({ algorithm: 'AES256' });
  });

  it('refuses uploads when the effective KMS key is not usable in the bucket region (404 missing, 409 state)', async () => {
    // Prepare
    seedBucket('bad-default', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: 'key-disabled' },
    });
    seedBucket('good-default', 'cn-hangzhou');
    const bad = client({ bucket: 'bad-default' });
    const good = client({ bucket: 'good-default' });
    const kmsHeaders = (id: string) => ({
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': id,
    });
    // Act
    const disabled = await failure(bad.put('x', Buffer.from('x')));
    const pending = await failure(good.put('x', Buffer.from('x'), { headers: kmsHeaders('key-pending') }));
    const foreign = await failure(good.put('x', Buffer.from('x'), { headers: kmsHeaders('key-shanghai') }));
    const missing = await failure(good.put('x', Buffer.from('x'), { headers: kmsHeaders('no-such-key') }));
    const viaAlias = await good.put('alias.txt', Buffer.from('x'), { headers: kmsHeaders('alias/prod') });
    // Assess
    expect(disabled).toMatchObject({ status: 409, code: 'KeyDisabled' });
    expect(pending).toMatchObject({ status: 409, code: 'KeyPendingDeletion' });
    expect(foreign).toMatchObject({ status: 404, code: 'KeyNotFound' });
    expect(missing).toMatchObject({ status: 404, code: 'KeyNotFound' });
    expect(viaAlias.res.headers['x-oss-server-side-encryption-key-id']).toBe('key-enabled');
    expect(emu.state.getObject('bad-default', 'x')).toBeUndefined();
  });

  it('refuses downloads with 409 once the object key is disabled, while HEAD still answers', async () => {
    // Prepare
    seedBucket('rotating');
    emu.state.putObject('rotating', 'k.txt', 'v', { sse: { algorithm: 'KMS', kmsKeyId: 'key-rotating' } });
    kmsKeys.set('key-rotating', { keyId: 'key-rotating', state: 'Disabled', region: 'cn-hangzhou' });
    const c = client({ bucket: 'rotating' });
    // Act
    const get = await failure(c.get('k.txt'));
    const head = await c.head('k.txt');
    // Assess
    expect(get).toMatchObject({ status: 409, code: 'KeyDisabled' });
    expect(head.res.headers['x-oss-server-side-encryption-key-id']).toBe('key-rotating');
  });

  it('copies metadata and tags with the COPY directives and replaces them with REPLACE', async () => {
    // Prepare
    seedBucket('meta-copy');
    const c = client({ bucket: 'meta-copy' });
    await c.put('src.json', Buffer.from('{}'), {
      meta: { owner: 'ops' },
      headers: { 'x-oss-tagging': 'class=internal&team=a%20b', 'Cache-Control': 'no-cache' },
    });
    // Act
    await c.copy('kept.json', 'src.json');
    await c.copy('replaced.json', 'src.json', {
      meta: { owner: 'sec' },
      headers: { 'x-oss-tagging-directive': 'Replace', 'x-oss-tagging': 'class=public' },
    });
    // Assess
    const kept = await c.head('kept.json');
    expect(kept.meta).toEqual({ owner: 'ops' });
    expect(kept.res.headers).toMatchObject({
      'content-type': 'application/json',
      'cache-control': 'no-cache',
    });
    expect((await c.getObjectTagging('kept.json')).tag).toEqual({ class: 'internal', team: 'a b' });
    expect((await c.head('replaced.json')).meta).toEqual({ owner: 'sec' });
    expect((await c.getObjectTagging('replaced.json')).tag).toEqual({ class: 'public' });
  });

  it('checks copy-source conditions: 412 when if-match fails, 304 when if-none-match matches', async () => {
    // Prepare
    seedBucket('cond-copy');
    const etag = emu.state.putObject('cond-copy', 'src', 'payload').etag;
    const c = client({ bucket: 'cond-copy' });
    // Act
    const mismatch = await failure(
      c.copy('dst', 'src', { headers: { 'x-oss-copy-source-if-match': '"0000"' } }),
    );
    const unchanged = await c.copy('dst', 'src', { headers: { 'x-oss-copy-source-if-none-match': etag } });
    const matched = await c.copy('dst', 'src', { headers: { 'x-oss-copy-source-if-match': etag } });
    // Assess
    expect(mismatch).toMatchObject({ status: 412, code: 'PreconditionFailed' });
    expect(unchanged.res.status).toBe(304);
    expect(unchanged.data).toBeNull();
    expect(matched.data?.etag).toBe(etag);
  });

  it('verifies Content-MD5, honours x-oss-forbid-overwrite and answers NoSuchKey', async () => {
    // Prepare
    seedBucket('obj-checks');
    const c = client({ bucket: 'obj-checks', v4: true });
    await c.put('exists', Buffer.from('1'));
    // Act
    const digest = await failure(
      c.put('md5', Buffer.from('abc'), { headers: { 'Content-MD5': '1B2M2Y8AsgTpgAmY7PhCfg==' } }),
    );
    const overwrite = await failure(
      c.put('exists', Buffer.from('2'), { headers: { 'x-oss-forbid-overwrite': 'true' } }),
    );
    const missing = await failure(c.get('nope'));
    // Assess
    expect(digest).toMatchObject({ status: 400, code: 'InvalidDigest' });
    expect(overwrite).toMatchObject({ status: 409, code: 'FileAlreadyExists' });
    expect(missing).toMatchObject({ status: 404, code: 'NoSuchKey', ecCode: '0026-00000001' });
  });

  it('answers a failed HEAD with status, x-oss-request-id and x-oss-ec but no body', async () => {
    // Prepare
    seedBucket('head-miss');
    const c = client({ bucket: 'head-miss' });
    // Act
    const err = await failure(c.head('absent'));
    const raw = await rawRequest(emu.url, 'HEAD', '/absent', 'head-miss.oss-cn-hangzhou.aliyuncs.com');
    // Assess
    expect(err).toMatchObject({ status: 404, code: 'NoSuchKey' });
    expect(err.requestId).toMatch(/^[0-9A-F]{24}$/);
    expect(raw.status).toBe(403);
    expect(raw.body).toBe('');
    expect(raw.headers['x-oss-ec']).toBe('0003-00000001');
    expect(Buffer.from(String(raw.headers['x-oss-err']), 'base64').toString()).toContain(
      '<Code>AccessDenied</Code>',
    );
  });

  it('answers HEAD on a missing bucket with 404, which ali-oss reports as NoSuchKey', async () => {
    // Prepare
    const c = client({ bucket: 'no-such-bucket-here' });
    // Act
    const headErr = await failure(c.head('k'));
    const getErr = await failure(c.get('k'));
    // Assess
    expect(headErr).toMatchObject({ status: 404, code: 'NoSuchKey' });
    expect(getErr).toMatchObject({ status: 404, code: 'NoSuchBucket' });
  });

  it('returns a byte range with 206 and deletes objects with 204', async () => {
    // Prepare
    seedBucket('ranges');
    emu.state.putObject('ranges', 'digits', '0123456789');
    const c = client({ bucket: 'ranges' });
    // Act
    const part = await c.get('digits', { headers: { Range: 'bytes=2-5' } });
    const deleted = await c.delete('digits');
    const again = await c.delete('digits');
    // Assess
    expect(part.res.status).toBe(206);
    expect(part.content.toString()).toBe('2345');
    expect(part.res.headers['content-range']).toBe('bytes 2-5/10');
    expect(deleted.res.status).toBe(204);
    expect(again.res.status).toBe(204);
    expect(emu.state.getObject('ranges', 'digits')).toBeUndefined();
  });

  it('keeps older versions in a versioned bucket and returns x-oss-version-id', async () => {
    // Prepare
    seedBucket('versioned');
    await v1.putBucketVersioning('versioned', 'Enabled');
    const c = client({ bucket: 'versioned' });
    // Act
    const first = await c.put('doc', Buffer.from('v1'));
    const second = await c.put('doc', Buffer.from('v2'));
    // Assess
    expect(first.res.headers['x-oss-version-id']).toBeTruthy();
    expect(second.res.headers['x-oss-version-id']).not.toBe(first.res.headers['x-oss-version-id']);
    expect(emu.state.versionCount('versioned', 'doc')).toBe(2);
    expect(emu.state.getObject('versioned', 'doc')?.body.toString()).toBe('v2');
  });
});

describe('OSS emulator: multipart', () => {
  const big = Buffer.alloc(300 * 1024 + 7, 'abcdefghij');

  it('copies a large object in parts with multipartUploadCopy, with the SSE the request asks for', async () => {
    // Prepare
    seedBucket('mp-src');
    seedBucket('mp-dst');
    emu.state.putObject('mp-src', 'big.bin', big, { sse: { algorithm: 'AES256' }, meta: { origin: 'src' } });
    const c = client({ bucket: 'mp-dst', v4: true });
    // Act
    const result = await c.multipartUploadCopy(
      'copied.bin',
      { sourceKey: 'big.bin', sourceBucketName: 'mp-src' },
      {
        partSize: 100 * 1024,
        headers: {
          'x-oss-server-side-encryption': 'KMS',
          'x-oss-server-side-encryption-key-id': 'key-enabled',
        },
      },
    );
    // Assess
    const copied = emu.state.getObject('mp-dst', 'copied.bin');
    expect(result.res.status).toBe(200);
    expect(copied?.body.equals(big)).toBe(true);
    expect(copied?.etag).toMatch(/^"[0-9A-F]{32}-4"$/);
    expect(copied?.sse).toEqual({ algorithm: 'KMS', kmsKeyId: 'key-enabled' });
    expect(copied?.type).toBe('Multipart');
  });

  it('uploads a buffer in parts with multipartUpload and applies the bucket default', async () => {
    // Prepare
    seedBucket('mp-upload', 'cn-hangzhou', { encryption: { algorithm: 'SM4' } });
    const c = client({ bucket: 'mp-upload' });
    // Act
    const result = await c.multipartUpload('up.bin', big, { partSize: 100 * 1024, parallel: 2 });
    const head = await c.head('up.bin');
    // Assess
    expect(result.etag).toMatch(/^"[0-9A-F]{32}-4"$/);
    expect(head.res.headers['x-oss-server-side-encryption']).toBe('SM4');
    expect(Number(head.res.headers['content-length'])).toBe(big.length);
  });

  it('aborts an upload with 204, after which the upload id is unknown', async () => {
    // Prepare
    seedBucket('mp-abort');
    const c = client({ bucket: 'mp-abort' });
    const { uploadId } = await c.initMultipartUpload('x.bin');
    // Act
    const aborted = await c.abortMultipartUpload('x.bin', uploadId);
    const again = await failure(c.abortMultipartUpload('x.bin', uploadId));
    // Assess
    expect(aborted.res.status).toBe(204);
    expect(again).toMatchObject({ status: 404, code: 'NoSuchUpload' });
  });
});

describe('OSS emulator: listing objects', () => {
  beforeAll(() => {
    seedBucket('listing');
    for (const key of ['a/1.txt', 'a/2.txt', 'a/b/3.txt', 'c/4.txt', 'top.txt', 'tmp/x y.txt']) {
      emu.state.putObject('listing', key, key);
    }
  });

  it('lists with prefix, delimiter and marker (v1), with owners as ali-oss expects', async () => {
    // Prepare
    const c = client({ bucket: 'listing' });
    // Act
    const root = await c.list({ delimiter: '/', 'max-keys': 3 });
    const next = await c.list({ delimiter: '/', marker: root.nextMarker ?? '' });
    const under = await c.list({ prefix: 'a/', delimiter: '/' });
    // Assess
    expect(root.prefixes).toEqual(['a/', 'c/', 'tmp/']);
    expect(root).toMatchObject({ isTruncated: true, nextMarker: 'tmp/', objects: [] });
    expect(next.prefixes).toBeNull();
    expect(next.objects.map((o) => o.name)).toEqual(['top.txt']);
    expect(under.objects.map((o) => [o.name, o.size, o.owner?.id])).toEqual([
      ['a/1.txt', 7, '1234567890123456'],
      ['a/2.txt', 7, '1234567890123456'],
    ]);
    expect(under.prefixes).toEqual(['a/b/']);
  });

  it('lists v2 pages with continuation tokens and url encoding', async () => {
    // Prepare
    const c = client({ bucket: 'listing', v4: true });
    // Act
    const first = await c.listV2({ 'max-keys': 4 });
    const second = await c.listV2({ 'max-keys': 4, 'continuation-token': first.nextContinuationToken ?? '' });
    const encoded = await c.listV2({ prefix: 'tmp/', 'encoding-type': 'url' });
    // Assess
    expect(first.objects.map((o) => o.name)).toEqual(['a/1.txt', 'a/2.txt', 'a/b/3.txt', 'c/4.txt']);
    expect(first.objects[0]?.owner).toBeNull();
    expect(second.objects.map((o) => o.name)).toEqual(['tmp/x y.txt', 'top.txt']);
    expect(second).toMatchObject({ isTruncated: false, keyCount: 2 });
    expect(encoded.objects.map((o) => o.name)).toEqual(['tmp%2Fx%20y.txt']);
  });
});

describe('OSS emulator: faults', () => {
  beforeAll(() => {
    seedBucket('faulty', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    emu.state.putObject('faulty', 'slow.bin', Buffer.alloc(4096, 'z'));
  });

  it('adds latency to the chosen operation', async () => {
    // Prepare
    faults.set('GetBucketEncryption', { latencyMs: 150 });
    const start = Date.now();
    // Act
    await v1.getBucketEncryption('faulty');
    // Assess
    expect(Date.now() - start).toBeGreaterThanOrEqual(145);
  });

  it('throttles with 503 and the OSS throttling code, which ali-oss does not retry', async () => {
    // Prepare
    faults.set('GetBucketEncryption', { throttleRate: 1, times: 1 });
    const c = client({ v4: true });
    const before = faults.count('GetBucketEncryption');
    // Act
    const err = await failure(c.getBucketEncryption('faulty'));
    const after = await c.getBucketEncryption('faulty');
    // Assess
    expect(err).toMatchObject({ status: 503, code: 'MetaOperationQpsLimitExceeded' });
    expect(after.status).toBe(200);
    expect(faults.count('GetBucketEncryption') - before).toBe(2);
  });

  it('throttles requests above maxQps', async () => {
    // Prepare
    faults.set('GetBucketInfo', { maxQps: 2, throttleCode: 'TotalQpsLimitExceeded' });
    // Act
    const results = await Promise.allSettled(Array.from({ length: 6 }, () => v1.getBucketInfo('faulty')));
    // Assess
    const rejected = results
      .filter((r) => r.status === 'rejected')
      .map((r) => (r as PromiseRejectedResult).reason);
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(2);
    expect(rejected).toHaveLength(4);
    expect(rejected[0]).toMatchObject({ status: 503, code: 'TotalQpsLimitExceeded' });
  });

  it('answers 5xx InternalError when asked to', async () => {
    // Prepare
    faults.set('GetBucketEncryption', { errorRate: 1, errorStatus: 502 });
    // Act
    const err = await failure(v1.getBucketEncryption('faulty'));
    // Assess
    expect(err).toMatchObject({ status: 502, code: 'InternalError' });
  });

  it('drops the connection before processing: ali-oss sees status -1 and nothing changed', async () => {
    // Prepare
    faults.set('PutBucketEncryption', { dropRate: 1, times: 1 });
    // Act
    const err = await failure(v1.putBucketEncryption('faulty', { SSEAlgorithm: 'KMS' }));
    // Assess
    expect(err.status).toBe(-1);
    expect(emu.state.getBucket('faulty')?.encryption).toEqual({ algorithm: 'AES256' });
  });

  it('drops the response after processing: the change is applied but the client sees an error', async () => {
    // Prepare
    faults.set('PutBucketEncryption', { dropRate: 1, dropPhase: 'after', times: 1 });
    // Act
    const err = await failure(v4.putBucketEncryption('faulty', { SSEAlgorithm: 'SM4' }));
    // Assess
    expect(err.status).toBe(-1);
    expect(emu.state.getBucket('faulty')?.encryption).toEqual({ algorithm: 'SM4' });
  });

  it('is retried by ali-oss retryMax after a dropped connection but not after throttling', async () => {
    // Prepare
    const retrying = client({ retryMax: 2 });
    const before = faults.count('GetBucketInfo');
    faults.set('GetBucketInfo', { dropRate: 1, times: 1 });
    // Act
    const recovered = await retrying.getBucketInfo('faulty');
    faults.set('GetBucketInfo', { throttleRate: 1, times: 1 });
    const throttled = await failure(retrying.getBucketInfo('faulty'));
    // Assess
    expect(recovered.bucket.Name).toBe('faulty');
    expect(throttled).toMatchObject({ status: 503, code: 'MetaOperationQpsLimitExceeded' });
    expect(faults.count('GetBucketInfo') - before).toBe(3);
  });

  it('lets a slow body run past the client timeout as a ResponseTimeoutError', async () => {
    // Prepare
    faults.set('GetObject', { slowBodyMs: 400, times: 1 });
    const impatient = client({ bucket: 'faulty', timeout: 300 });
    // Act
    const err = await failure(impatient.get('slow.bin'));
    // Assess
    expect(err.name).toBe('ResponseTimeoutError');
  });

  it('sends a slow body that still arrives whole', async () => {
    // Prepare
    faults.set('GetObject', { slowBodyMs: 60 });
    const c = client({ bucket: 'faulty' });
    const start = Date.now();
    // Act
    const got = await c.get('slow.bin');
    // Assess
    // Four chunks with a pause between each: the last one arrives three pauses after the first.
    expect(Date.now() - start).toBeGreaterThanOrEqual(170);
    expect(got.content.equals(Buffer.alloc(4096, 'z'))).toBe(true);
  });
});
