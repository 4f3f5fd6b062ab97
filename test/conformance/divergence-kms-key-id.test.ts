/**
 * Divergence 1 (issue 12): an SSE-KMS write that names no key is encrypted with the region's OSS
 * service key, and real OSS answers that key's id in `x-oss-server-side-encryption-key-id` on the write
 * and on Head/Get. Source: aliyun-oss-python-sdk `tests/test_server_side_encryotion.py`
 * (`test_put_object_with_kms_default`-style cases assert the key id is present for KMS without a key),
 * and OSS API reference "PutObject" (response header `x-oss-server-side-encryption-key-id`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ossServiceKeyId } from '../../emulator/kms/service-key.js';
import { putEncryptionXml, type Res } from '../helpers/oss-test-client.js';
import { SIGNINGS, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

const KEY_ID = 'x-oss-server-side-encryption-key-id';
const body = Buffer.from('kms default key');

describe.each(SIGNINGS)('KMS writes without a key id (%s)', (signing) => {
  it('PutObject with KMS and no key id answers the service key id on the write, Head and Get', async () => {
    // Prepare
    const { c } = await w.newBucket(signing, 'kid-put');
    const serviceKey = ossServiceKeyId(w.emu.accountId, 'cn-hangzhou');
    // Act
    const put = await c.put('o', body, { headers: { 'x-oss-server-side-encryption': 'KMS' } });
    const head = await c.head('o');
    const get = await c.get('o');
    // Assess
    expect(put.res.headers[KEY_ID]).toBe(serviceKey);
    expect(head.res.headers[KEY_ID]).toBe(serviceKey);
    expect(get.res.headers[KEY_ID]).toBe(serviceKey);
    expect(head.res.headers['x-oss-server-side-encryption']).toBe('KMS');
  });

  it('gives each region its own service key id', async () => {
    // Prepare
    const { c } = await w.newBucket(signing, 'kid-sh', 'cn-shanghai');
    // Act
    const put = await c.put('o', body, { headers: { 'x-oss-server-side-encryption': 'KMS' } });
    // Assess
    expect(put.res.headers[KEY_ID]).toBe(ossServiceKeyId(w.emu.accountId, 'cn-shanghai'));
    expect(put.res.headers[KEY_ID]).not.toBe(ossServiceKeyId(w.emu.accountId, 'cn-hangzhou'));
  });

  it('applies the bucket default KMS rule without a key with the service key id', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'kid-default');
    await c.putBucketEncryption(name, { SSEAlgorithm: 'KMS' });
    // Act
    const put = await c.put('o', body);
    const head = await c.head('o');
    // Assess
    expect(put.res.headers[KEY_ID]).toBe(ossServiceKeyId(w.emu.accountId, 'cn-hangzhou'));
    expect(head.res.headers[KEY_ID]).toBe(ossServiceKeyId(w.emu.accountId, 'cn-hangzhou'));
    // The rule itself still names no key (GetBucketEncryption answers what was put).
    const rule = await c.getBucketEncryption(name);
    expect(rule.encryption.KMSMasterKeyID).toBeUndefined();
  });

  it('InitiateMultipartUpload with KMS and no key id answers the service key id, and so does the object', async () => {
    // Prepare
    const { c } = await w.newBucket(signing, 'kid-mpu');
    const serviceKey = ossServiceKeyId(w.emu.accountId, 'cn-hangzhou');
    // Act
    const init = (await c.initMultipartUpload('big', {
      headers: { 'x-oss-server-side-encryption': 'KMS' },
    })) as { uploadId: string; res: Res };
    await c.abortMultipartUpload('big', init.uploadId);
    await c.multipartUpload('big', Buffer.alloc(200 * 1024, 1), {
      partSize: 100 * 1024,
      headers: { 'x-oss-server-side-encryption': 'KMS' },
    });
    const head = await c.head('big');
    // Assess
    expect(init.res.headers[KEY_ID]).toBe(serviceKey);
    expect(head.res.headers[KEY_ID]).toBe(serviceKey);
  });

  it('CopyObject to KMS without a key id answers the service key id', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'kid-copy');
    await c.put('src', body);
    // Act
    const copy = await c.copy('dst', `/${name}/src`, { headers: { 'x-oss-server-side-encryption': 'KMS' } });
    const head = await c.head('dst');
    // Assess
    expect(copy.res.headers[KEY_ID]).toBe(ossServiceKeyId(w.emu.accountId, 'cn-hangzhou'));
    expect(head.res.headers[KEY_ID]).toBe(ossServiceKeyId(w.emu.accountId, 'cn-hangzhou'));
  });

  it('keeps a named CMK as the object key id, not the service key', async () => {
    // Prepare
    const { name, c } = await w.newBucket(signing, 'kid-cmk');
    const cmk = w.newKey();
    await putEncryptionXml(
      c,
      name,
      `<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault><SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>${cmk}</KMSMasterKeyID></ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>`,
    );
    // Act
    const put = await c.put('o', body);
    // Assess
    expect(put.res.headers[KEY_ID]).toBe(cmk);
  });
});
