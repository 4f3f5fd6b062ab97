/**
 * Port of the encryption and bucket-info cases of the alibabacloud-oss-go-sdk-v2 maintainers' live
 * integration suite (aliyun/alibabacloud-oss-go-sdk-v2 `oss/client_integration_test.go`, build tag
 * `integration`): TestBucketEncryption, TestGetBucketInfo, TestGetBucketLocation and the error shapes of
 * TestPutObject / TestGetObject / TestCopyObject, run with the real ali-oss client, V1 and V4 signing.
 * Left out, with the reason in test/conformance/README.md: `HashCRC64` (the emulator sends no
 * x-oss-hash-crc64ecma), callbacks, AppendObject, and TestGetBucketInfo's `SSEAlgorithm == ""` (the
 * emulator answers "None", which oss2 documents by mapping it to None).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ClientError, failure, putEncryptionXml } from '../helpers/oss-test-client.js';
import { SIGNINGS, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

/** The NoSuchBucket shape every go-sdk-v2 case asserts. */
function expectNoSuchBucket(err: ClientError): void {
  expect(err.status).toBe(404);
  expect(err.code).toBe('NoSuchBucket');
  expect(err.message).toBe('The specified bucket does not exist.');
  expect(err.ecCode).toBe('0015-00000101');
  expect(err.requestId).toBeTruthy();
}

describe.each(SIGNINGS)('alibabacloud-oss-go-sdk-v2 integration tests (%s)', (signing) => {
  it('TestBucketEncryption', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'go-sdk-test-bucket');
    const kmsSm4 =
      '<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSDataEncryption>SM4</KMSDataEncryption></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>';
    const missing = `${name}-not-exist`;
    // Act
    const put = await putEncryptionXml(c, name, kmsSm4);
    const got = await c.getBucketEncryption(name);
    const deleted = await c.deleteBucketEncryption(name);
    const putMissing = await failure(putEncryptionXml(c, missing, kmsSm4));
    const getMissing = await failure(c.getBucketEncryption(missing));
    const deleteMissing = await failure(c.deleteBucketEncryption(missing));
    // Assess
    expect(put.status).toBe(200);
    expect(put.headers['x-oss-request-id']).toBeTruthy();
    expect(got.encryption.SSEAlgorithm).toBe('KMS');
    expect(got.encryption.KMSDataEncryption).toBe('SM4');
    expect((deleted as unknown as { res: { status: number } }).res.status).toBe(204);
    for (const err of [putMissing, getMissing, deleteMissing]) expectNoSuchBucket(err);
  });

  it('TestGetBucketInfo', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'go-sdk-test-bucket');
    // Act
    const { bucket } = await c.getBucketInfo(name);
    const b = bucket as unknown as Record<string, unknown>;
    await c.deleteBucket(name);
    const afterDelete = await failure(c.getBucketInfo(name));
    // Assess
    expect(b.Name).toBe(name);
    expect(b.AccessMonitor).toBe('Disabled');
    expect(b.CreationDate).toBeTruthy();
    expect(String(b.ExtranetEndpoint)).toContain('.aliyuncs.com');
    expect(String(b.IntranetEndpoint)).toContain('internal.aliyuncs.com');
    expect(String(b.Location)).toContain('oss-');
    expect(String(b.StorageClass)).toContain('Standard');
    expect(b.TransferAcceleration).toBe('Disabled');
    expect(b.CrossRegionReplication).toBe('Disabled');
    expect(b.ResourceGroupId).toBeTruthy();
    expect((b.Owner as { DisplayName: string }).DisplayName).toBeTruthy();
    expect((b.AccessControlList as { Grant: string }).Grant).toBe('private');
    const policy = b.BucketPolicy as { LogBucket?: string; LogPrefix?: string };
    expect(policy.LogBucket || undefined).toBeUndefined();
    expect(policy.LogPrefix || undefined).toBeUndefined();
    const sse = b.ServerSideEncryptionRule as Record<string, unknown>;
    expect(sse.KMSDataEncryption).toBeUndefined();
    expect(sse.KMSMasterKeyID).toBeUndefined();
    expectNoSuchBucket(afterDelete);
  });

  it('TestGetBucketLocation', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'go-sdk-test-bucket');
    // Act
    const info = await c.getBucketLocation(name);
    await c.deleteBucket(name);
    const afterDelete = await failure(c.getBucketLocation(name));
    // Assess: the endpoint without ".aliyuncs.com".
    expect(info.location).toBe('oss-cn-hangzhou');
    expectNoSuchBucket(afterDelete);
  });

  it('TestPutObject / TestGetObject (without callback and CRC64)', async () => {
    // Prepare
    const { c } = await w.newBucket(signing, 'go-sdk-test-bucket');
    const content = Buffer.from('x'.repeat(1000));
    const missing = w.client(signing).useBucket(`${w.bucketName('go-sdk-test-bucket')}not-exist`);
    // Act
    const put = await c.put('go-sdk-test-object', content);
    const got = await c.get('go-sdk-test-object');
    const putMissing = await failure(missing.put('go-sdk-test-object', content));
    // Assess
    expect(put.res.status).toBe(200);
    expect(put.res.headers['x-oss-request-id']).toBeTruthy();
    expect(put.res.headers.etag).toBeTruthy();
    expect(put.res.headers['content-md5']).toBeTruthy();
    expect(put.res.headers['x-oss-version-id']).toBeUndefined();
    expect(got.res.headers.etag).toBeTruthy();
    expect(Number(got.res.headers['content-length'])).toBe(content.length);
    expectNoSuchBucket(putMissing);
  });

  it('TestCopyObject (without CRC64)', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'go-sdk-test-bucket');
    await c.put('go-sdk-test-object', Buffer.from('x'.repeat(1000)));
    const other = await w.newBucket(signing, 'go-sdk-test-bucket-copy');
    const missing = w.client(signing).useBucket(`${w.bucketName('go-sdk-test-bucket')}not-exist`);
    // Act: a source without a bucket, a same-bucket copy, a copy into a missing bucket, a cross-bucket copy.
    const badSource = await failure(
      c.request({
        method: 'PUT',
        bucket: name,
        object: 'go-sdk-test-object-copy',
        headers: { 'x-oss-copy-source': 'go-sdk-test-object-copy' },
        successStatuses: [200],
      }),
    );
    const copied = await c.copy('go-sdk-test-object-copy', `/${name}/go-sdk-test-object`);
    const toMissing = await failure(missing.copy('go-sdk-test-object-copy', `/${name}/go-sdk-test-object`));
    const crossBucket = await other.c.copy('go-sdk-test-object-copy', `/${name}/go-sdk-test-object`);
    // Assess
    expect(badSource).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(badSource.message).toBe(
      'Copy Source must mention the source bucket and key: /sourcebucket/sourcekey.',
    );
    for (const ok of [copied, crossBucket]) {
      expect(ok.res.headers['x-oss-request-id']).toBeTruthy();
      expect(ok.data?.etag).toBeTruthy();
      expect(ok.data?.lastModified).toBeTruthy();
      expect(ok.res.headers['x-oss-version-id']).toBeUndefined();
    }
    expectNoSuchBucket(toMissing);
  });
});
