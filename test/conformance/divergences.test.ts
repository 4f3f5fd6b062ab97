/**
 * Divergences 2-8 of issue 12, each a named case: where the emulator used to disagree with the live
 * service, the assertion here is what the live service does, with its source. (Divergence 1, the key id
 * of KMS writes, is divergence-kms-key-id.test.ts; divergence 9, KMS DescribeKey, belongs to the KMS
 * emulator.) Each case runs with V1 and V4 signing.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, putEncryptionXml } from '../helpers/oss-test-client.js';
import { SIGNINGS, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

const SSE = 'x-oss-server-side-encryption';
const DATA = 'x-oss-server-side-data-encryption';
const rule = (inner: string) =>
  `<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>${inner}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>`;

describe.each(SIGNINGS)('divergences (%s)', (signing) => {
  describe('divergence 2: data encryption next to AES256/SM4 or alone is accepted and dropped', () => {
    // Source: aliyun-oss-python-sdk tests/test_server_side_encryotion.py test_put_object_with_encryption.
    it.each([
      ['AES256', 'AES256'],
      ['SM4', 'SM4'],
      [undefined, undefined],
    ])('PutObject %s + data SM4 answers algorithm %s and no data encryption', async (algorithm, answered) => {
      // Prepare
      const { c } = await w.newBucket(signing, 'd2-put');
      const headers: Record<string, string> = { [DATA]: 'SM4' };
      if (algorithm) headers[SSE] = algorithm;
      // Act
      const put = await c.put('o', Buffer.from('a'), { headers });
      // Assess
      expect(put.res.headers[SSE]).toBe(answered);
      expect(put.res.headers[DATA]).toBeUndefined();
      expect(put.res.headers['x-oss-server-side-encryption-key-id']).toBeUndefined();
    });

    it.each(['AES256', 'SM4'])(
      'PutBucketEncryption %s + KMSDataEncryption SM4 is stored without it',
      async (alg) => {
        // Prepare: source test_put_bucket_encryption ("set AES256/SM4 and data encryption is not none").
        const { name, c } = await w.newBucket(signing, 'd2-rule');
        // Act
        await putEncryptionXml(
          c,
          name,
          rule(`<SSEAlgorithm>${alg}</SSEAlgorithm><KMSDataEncryption>SM4</KMSDataEncryption>`),
        );
        const got = await c.getBucketEncryption(name);
        const info = await c.getBucketInfo(name);
        // Assess
        expect(got.encryption).toEqual({ SSEAlgorithm: alg });
        expect(info.bucket.ServerSideEncryptionRule.KMSDataEncryption).toBeUndefined();
      },
    );
  });

  describe('divergence 3: SSE headers on UploadPart and CompleteMultipartUpload are 400 InvalidArgument', () => {
    // Source: aliyun-oss-python-sdk tests/test_server_side_encryotion.py test_multipart_upload.
    it('refuses the part and the completion that carry SSE headers, accepts them without', async () => {
      // Prepare
      const { name, c } = await w.newBucket(signing, 'd3-mpu');
      const sseHeaders = { [SSE]: 'KMS', [DATA]: 'SM4' };
      const init = await c.initMultipartUpload('o', { headers: sseHeaders });
      const part = (headers: Record<string, string>) =>
        c.request({
          method: 'PUT',
          bucket: name,
          object: 'o',
          subres: { partNumber: '1', uploadId: init.uploadId },
          headers,
          content: Buffer.from('part'),
          successStatuses: [200],
        });
      const complete = (headers: Record<string, string>, etag: string) =>
        c.request({
          method: 'POST',
          bucket: name,
          object: 'o',
          subres: { uploadId: init.uploadId },
          headers,
          content: Buffer.from(
            `<CompleteMultipartUpload><Part><PartNumber>1</PartNumber><ETag>${etag}</ETag></Part></CompleteMultipartUpload>`,
          ),
          mime: 'xml',
          successStatuses: [200],
        });
      // Act
      const partWithSse = await failure(part(sseHeaders));
      const plainPart = await part({});
      const etag = plainPart.headers.etag ?? '';
      const completeWithSse = await failure(complete(sseHeaders, etag));
      const done = await complete({}, etag);
      // Assess
      expect(partWithSse).toMatchObject({ status: 400, code: 'InvalidArgument' });
      expect(plainPart.headers[SSE]).toBe('KMS');
      expect(plainPart.headers[DATA]).toBe('SM4');
      expect(completeWithSse).toMatchObject({ status: 400, code: 'InvalidArgument' });
      expect(done.status).toBe(200);
      expect(done.headers[SSE]).toBe('KMS');
    });
  });

  describe('divergence 4: conditions compare at one-second resolution and name the HTTP condition', () => {
    // Source: ali-oss test/node/object.test.js head()/get()/copy() "= object modified time" cases.
    it('treats a date equal to Last-Modified as not modified (reads and copies)', async () => {
      // Prepare
      const { name, c } = await w.newBucket(signing, 'd4-date');
      await c.put('src', Buffer.from('x'));
      const lastModified = (await c.head('src')).res.headers['last-modified'] ?? '';
      // Act
      const headModified = await c.head('src', { headers: { 'If-Modified-Since': lastModified } });
      const getUnmodified = await c.get('src', { headers: { 'If-Unmodified-Since': lastModified } });
      const copyModified = await c.copy('dst', `/${name}/src`, {
        headers: { 'If-Modified-Since': lastModified },
      });
      const copyUnmodified = await c.copy('dst', `/${name}/src`, {
        headers: { 'If-Unmodified-Since': lastModified },
      });
      // Assess
      expect(headModified.status).toBe(304);
      expect(getUnmodified.res.status).toBe(200);
      expect(copyModified.res.status).toBe(304);
      expect(copyUnmodified.res.status).toBe(200);
    });

    it('names If-Match and If-Unmodified-Since in a failed copy precondition', async () => {
      // Prepare
      const { name, c } = await w.newBucket(signing, 'd4-name');
      await c.put('src', Buffer.from('x'));
      const lastYear = new Date(Date.now() - 365 * 86_400_000).toUTCString();
      // Act
      const ifMatch = await failure(c.copy('dst', `/${name}/src`, { headers: { 'If-Match': 'foo-bar' } }));
      const unmodified = await failure(
        c.copy('dst', `/${name}/src`, { headers: { 'If-Unmodified-Since': lastYear } }),
      );
      // Assess
      expect(ifMatch).toMatchObject({ status: 412, code: 'PreconditionFailed' });
      expect(ifMatch.message).toBe(
        'At least one of the pre-conditions you specified did not hold. (condition: If-Match)',
      );
      expect(unmodified.message).toBe(
        'At least one of the pre-conditions you specified did not hold. (condition: If-Unmodified-Since)',
      );
    });
  });

  describe('divergence 5: an upload needing a CMK that does not exist is 404 KeyNotFound', () => {
    // Source: issue 12 (live answer) and OSS error center 0005-00000208 (the CMK id is not found in KMS).
    it('answers 404 KeyNotFound with the OSS message and EC for an unknown and a foreign-region key', async () => {
      // Prepare
      const { c } = await w.newBucket(signing, 'd5-missing');
      const shanghaiKey = w.newKey('cn-shanghai');
      const put = (keyId: string) =>
        c.put('o', Buffer.from('x'), {
          headers: { [SSE]: 'KMS', 'x-oss-server-side-encryption-key-id': keyId },
        });
      // Act
      const unknown = await failure(put('00000000-0000-4000-8000-000000000000'));
      const foreign = await failure(put(shanghaiKey));
      // Assess
      for (const err of [unknown, foreign]) {
        expect(err).toMatchObject({ status: 404, code: 'KeyNotFound', ecCode: '0005-00000208' });
        expect(err.message).toBe('The specified parameter KMS keyId is not found');
      }
    });

    it('answers 409 KeyDisabled / KeyPendingDeletion, each with its own EC', async () => {
      // Prepare: OSS "HTTP status code 409" quick reference.
      const { c } = await w.newBucket(signing, 'd5-state');
      const disabled = w.newKey();
      const pending = w.newKey();
      w.emu.kms.state.disableKey(disabled);
      w.emu.kms.state.scheduleDeletion(pending, 7);
      const put = (keyId: string) =>
        c.put('o', Buffer.from('x'), {
          headers: { [SSE]: 'KMS', 'x-oss-server-side-encryption-key-id': keyId },
        });
      // Act
      const off = await failure(put(disabled));
      const going = await failure(put(pending));
      // Assess
      expect(off).toMatchObject({ status: 409, code: 'KeyDisabled' });
      expect(off.message).toBe('The request was rejected because the key state is Disabled');
      expect(going).toMatchObject({ status: 409, code: 'KeyPendingDeletion' });
      expect(off.ecCode).not.toBe(going.ecCode);
    });
  });

  describe('divergence 6: error EC values from the OSS error center', () => {
    it('answers GetBucketEncryption without a rule with EC 0005-00000004', async () => {
      // Prepare
      const { name, c } = await w.newBucket(signing, 'd6-norule');
      // Act
      const err = await failure(c.getBucketEncryption(name));
      // Assess
      expect(err).toMatchObject({
        status: 404,
        code: 'NoSuchServerSideEncryptionRule',
        ecCode: '0005-00000004',
      });
    });

    it('answers KMSMasterKeyID with AES256 with EC 0005-00000204 and a bad KMSDataEncryption with 0005-00000203', async () => {
      // Prepare
      const { name, c } = await w.newBucket(signing, 'd6-invalid');
      // Act
      const keyWithAes = await failure(
        c.putBucketEncryption(name, { SSEAlgorithm: 'AES256', KMSMasterKeyID: 'k' }),
      );
      const badData = await failure(
        putEncryptionXml(
          c,
          name,
          rule('<SSEAlgorithm>KMS</SSEAlgorithm><KMSDataEncryption>DES</KMSDataEncryption>'),
        ),
      );
      // Assess
      expect(keyWithAes).toMatchObject({ status: 400, code: 'InvalidArgument', ecCode: '0005-00000204' });
      expect(badData).toMatchObject({ status: 400, code: 'InvalidArgument', ecCode: '0005-00000203' });
    });
  });

  describe('divergence 7: GetBucketInfo ResourceGroupId/BlockPublicAccess, ListBuckets tag filters', () => {
    it('answers ResourceGroupId and BlockPublicAccess in GetBucketInfo', async () => {
      // Prepare: source alibabacloud-oss-go-sdk-v2 integration test TestGetBucketInfo.
      const { name, c } = await w.newBucket(signing, 'd7-info');
      // Act
      const { bucket } = await c.getBucketInfo(name);
      const fields = bucket as unknown as Record<string, unknown>;
      // Assess
      expect(fields.ResourceGroupId).toMatch(/^rg-/);
      expect(fields.BlockPublicAccess).toBe('false');
    });

    it('filters ListBuckets by tag-key/tag-value and by the tagging subresource', async () => {
      // Prepare: sources aliyun-oss-python-sdk tests/test_bucket.py test_list_bucket_with_tagging and
      // ali-oss test/node/bucket.test.js "should list buckets by subres".
      const prefix = w.bucketName('d7-list');
      const c = w.client(signing);
      await c.putBucket(`${prefix}-1`);
      await c.putBucket(`${prefix}-2`);
      await c.putBucketTags(`${prefix}-1`, { team: 'sec', env: 'prod' });
      await c.putBucketTags(`${prefix}-2`, { team: 'web' });
      // Act
      const byKeyValue = await c.listBuckets({ prefix, 'tag-key': 'team', 'tag-value': 'sec' });
      const byKey = await c.listBuckets({ prefix, 'tag-key': 'team' });
      const bySubres = await c.listBuckets({
        prefix,
        subres: { tagging: '"team":"sec","env":"prod"' },
      } as never);
      const all = await c.listBuckets({ prefix });
      // Assess
      expect(byKeyValue.buckets?.map((b) => b.name)).toEqual([`${prefix}-1`]);
      expect(byKey.buckets?.length).toBe(2);
      expect(bySubres.buckets?.map((b) => b.name)).toEqual([`${prefix}-1`]);
      const first = bySubres.buckets?.[0] as unknown as { tag: Record<string, string> } | undefined;
      expect(first?.tag).toEqual({
        team: 'sec',
        env: 'prod',
      });
      expect(all.buckets?.length).toBe(2);
    });
  });

  describe('divergence 8: a PutObject stream with Content-Length and chunked encoding is accepted', () => {
    // Source: ali-oss test/node/object.test.js put() "should add object with readstream" (the client sends
    // both headers for a stream with a Content-Length); OSS accepts it.
    it('stores the streamed body', async () => {
      // Prepare
      const { c } = await w.newBucket(signing, 'd8-stream');
      const body = Buffer.from('streamed body of a known length');
      // Act
      const put = await c.put('s', Readable.from([body]) as unknown as Buffer, {
        headers: { 'Content-Length': String(body.length) },
      });
      const got = await c.get('s');
      // Assess
      expect(typeof put.res.headers.etag).toBe('string');
      expect(got.content.equals(body)).toBe(true);
    });
  });
});
