/**
 * Port of aliyun/aliyun-oss-python-sdk `tests/test_server_side_encryotion.py` (the oss2 maintainers'
 * live suite, class TestSSEDataEncryption) to the real ali-oss client, V1 and V4 signing. Each test
 * names its source case; the assertions keep their meaning (`assertIsNone` -> header absent,
 * `assertIsNotNone(key_id)` -> a key id is answered). `test_append_object_with_encryption` cannot apply
 * (AppendObject is not modelled; test/conformance/README.md).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, putEncryptionXml, type Res } from '../helpers/oss-test-client.js';
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
const KEY_ID = 'x-oss-server-side-encryption-key-id';
const sseOf = (res: Res) => [res.headers[SSE], res.headers[DATA], res.headers[KEY_ID]] as const;
const ruleXml = (alg: string, keyId?: string, data?: string) =>
  `<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>${alg}</SSEAlgorithm>${
    keyId === undefined ? '' : `<KMSMasterKeyID>${keyId}</KMSMasterKeyID>`
  }${data === undefined ? '' : `<KMSDataEncryption>${data}</KMSDataEncryption>`}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>`;
const headersFor = (sse?: string, data?: string) => {
  const h: Record<string, string> = {};
  if (sse) h[SSE] = sse;
  if (data) h[DATA] = data;
  return h;
};

describe.each(SIGNINGS)('oss2 tests/test_server_side_encryotion.py (%s)', (signing) => {
  it('test_put_bucket_encryption', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'oss2-put-bucket-encryption');
    const readBack = async () => {
      const got = (await c.getBucketEncryption(name)).encryption;
      const info = (await c.getBucketInfo(name)).bucket.ServerSideEncryptionRule;
      return { got, info };
    };
    // Act + Assess, step by step as the source does.
    // set SM4
    await putEncryptionXml(c, name, ruleXml('SM4'));
    let r = await readBack();
    expect(r.got).toEqual({ SSEAlgorithm: 'SM4' });
    expect(r.info.SSEAlgorithm).toBe('SM4');
    // set KMS and data SM4, and none kms_key_id
    await putEncryptionXml(c, name, ruleXml('KMS', undefined, 'SM4'));
    r = await readBack();
    expect(r.got).toEqual({ SSEAlgorithm: 'KMS', KMSDataEncryption: 'SM4' });
    expect(r.info.SSEAlgorithm).toBe('KMS');
    expect(r.info.KMSMasterKeyID || undefined).toBeUndefined();
    expect(r.info.KMSDataEncryption).toBe('SM4');
    // set KMS and SM4, and has kms key id
    await putEncryptionXml(c, name, ruleXml('KMS', '123', 'SM4'));
    r = await readBack();
    expect(r.got).toEqual({ SSEAlgorithm: 'KMS', KMSMasterKeyID: '123', KMSDataEncryption: 'SM4' });
    expect(r.info).toMatchObject({ SSEAlgorithm: 'KMS', KMSMasterKeyID: '123', KMSDataEncryption: 'SM4' });
    // set AES256 and data encryption is not none
    await putEncryptionXml(c, name, ruleXml('AES256', undefined, 'SM4'));
    r = await readBack();
    expect(r.got).toEqual({ SSEAlgorithm: 'AES256' });
    expect(r.info.KMSMasterKeyID).toBeUndefined();
    expect(r.info.KMSDataEncryption).toBeUndefined();
    // set SM4 and data encryption is not none
    await putEncryptionXml(c, name, ruleXml('SM4', undefined, 'SM4'));
    r = await readBack();
    expect(r.got).toEqual({ SSEAlgorithm: 'SM4' });
    expect(r.info.SSEAlgorithm).toBe('SM4');
    expect(r.info.KMSDataEncryption).toBeUndefined();
  });

  it.each([
    ['test-put-object-none-encryption', undefined, undefined, [undefined, undefined, false]],
    ['test-put-object-kms', 'KMS', undefined, ['KMS', undefined, true]],
    ['test-put-object-aes', 'AES256', undefined, ['AES256', undefined, false]],
    ['test-put-object-sm4', 'SM4', undefined, ['SM4', undefined, false]],
    ['test-put-object-kms-sm4', 'KMS', 'SM4', ['KMS', 'SM4', true]],
    ['test-put-object-aes256-sm4', 'AES256', 'SM4', ['AES256', undefined, false]],
    ['test-put-object-sm4-sm4', 'SM4', 'SM4', ['SM4', undefined, false]],
    ['test-put-object-none-sm4', undefined, 'SM4', [undefined, undefined, false]],
  ] as const)(
    'test_put_object_with_encryption: %s',
    async (objectName, sse, data, [wantSse, wantData, hasKeyId]) => {
      // Prepare
      const { c } = await w.newBucket(signing, 'oss2-put-object-data-encryption');
      // Act
      const put = await c.put(objectName, Buffer.from('a'), { headers: headersFor(sse, data) });
      // Assess
      const [gotSse, gotData, keyId] = sseOf(put.res);
      expect(gotSse).toBe(wantSse);
      expect(gotData).toBe(wantData);
      if (hasKeyId) expect(keyId).toBeTruthy();
      else expect(keyId).toBeUndefined();
    },
  );

  it('test_multipart_upload', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'oss2-multipart-upload-data-encryption');
    const key = 'data-encryption-test-upload-part-object';
    const sseHeaders = headersFor('KMS', 'SM4');
    const partBody = Buffer.alloc(100 * 1024, 'p');
    const request = (
      method: string,
      subres: Record<string, string>,
      headers: Record<string, string>,
      content: Buffer,
    ) => c.request({ method, bucket: name, object: key, subres, headers, content, successStatuses: [200] });
    // Act: init multipart with encryption headers
    const init = await c.initMultipartUpload(key, { headers: sseHeaders });
    const [initSse, initData, kmsKeyId] = sseOf(init.res);
    // Upload part with the encryption headers will be failed.
    const partWithSse = await failure(
      request('PUT', { partNumber: '1', uploadId: init.uploadId }, sseHeaders, partBody),
    );
    // Upload parts with none encryption headers.
    const parts: { number: number; etag: string; res: { headers: Record<string, string> } }[] = [];
    for (const n of [1, 2]) {
      const res = await request('PUT', { partNumber: String(n), uploadId: init.uploadId }, {}, partBody);
      parts.push({ number: n, etag: res.headers.etag ?? '', res });
    }
    const completeXml = Buffer.from(
      `<CompleteMultipartUpload>${parts
        .map((p) => `<Part><PartNumber>${p.number}</PartNumber><ETag>${p.etag}</ETag></Part>`)
        .join('')}</CompleteMultipartUpload>`,
    );
    // Complete multipart upload with encryption headers.
    const completeWithSse = await failure(
      request('POST', { uploadId: init.uploadId }, sseHeaders, completeXml),
    );
    // Complete multipart upload with none encryption headers.
    const done = await request('POST', { uploadId: init.uploadId }, {}, completeXml);
    // Assess
    expect(initSse).toBe('KMS');
    expect(initData).toBe('SM4');
    expect(kmsKeyId).toBeTruthy();
    expect(partWithSse).toMatchObject({ status: 400, code: 'InvalidArgument' });
    for (const p of parts) {
      expect(p.res.headers[SSE]).toBe('KMS');
      expect(p.res.headers[DATA]).toBe('SM4');
      expect(p.res.headers[KEY_ID]).toBe(kmsKeyId);
    }
    expect(completeWithSse).toMatchObject({ status: 400, code: 'InvalidArgument' });
    expect(done.status).toBe(200);
    expect(done.headers[SSE]).toBe('KMS');
    expect(done.headers[DATA]).toBe('SM4');
    expect(done.headers[KEY_ID]).toBe(kmsKeyId);
  });

  it('test_resumable_uoload (small object below the multipart threshold, then a big one)', async () => {
    // Prepare: oss2.resumable_upload is a put below its threshold and a multipart upload above it; with
    // ali-oss that is multipartUpload (a put below one part, parts above).
    const { c } = await w.newBucket(signing, 'oss2-resumable-upload-data-encryption');
    const headers = headersFor('KMS', 'SM4');
    // Act
    const small = await c.multipartUpload('small-object', Buffer.alloc(50 * 1024, 's'), {
      partSize: 100 * 1024,
      headers,
    });
    const big = await c.multipartUpload('big-object', Buffer.alloc(350 * 1024, 'b'), {
      partSize: 100 * 1024,
      headers,
    });
    const bigHead = await c.head('big-object');
    // Assess
    for (const res of [small.res, bigHead.res]) {
      const [sse, data, keyId] = sseOf(res);
      expect(res.status).toBe(200);
      expect(sse).toBe('KMS');
      expect(data).toBe('SM4');
      expect(keyId).toBeTruthy();
    }
    expect(big.res.status).toBe(200);
  });

  it('test_copy_object', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'oss2-copy-object-data-encryption');
    const src = 'test-copy-object-src';
    const dest = 'test-copy-object-dest';
    // Act
    const put = await c.put(src, Buffer.alloc(1024, 'a'), {
      headers: { 'x-oss-meta-user1': 'user_value', ...headersFor('KMS', 'SM4') },
    });
    const head = await c.head(src);
    // test normal copy objects
    await c.copy(dest, `/${name}/${src}`);
    const plainCopy = await c.head(dest);
    // test copy object with specified encryption headers
    await c.copy(dest, `/${name}/${src}`, { headers: { 'x-oss-meta-user1': 'user_value', [SSE]: 'AES256' } });
    const aesCopy = await c.head(dest);
    // Assess
    expect(sseOf(put.res).slice(0, 2)).toEqual(['KMS', 'SM4']);
    expect(put.res.headers[KEY_ID]).toBeTruthy();
    expect(sseOf(head.res).slice(0, 2)).toEqual(['KMS', 'SM4']);
    expect(head.res.headers[KEY_ID]).toBeTruthy();
    expect(head.res.headers['x-oss-meta-user1']).toBe('user_value');
    expect(sseOf(plainCopy.res)).toEqual([undefined, undefined, undefined]);
    expect(sseOf(aesCopy.res)).toEqual(['AES256', undefined, undefined]);
  });
});
