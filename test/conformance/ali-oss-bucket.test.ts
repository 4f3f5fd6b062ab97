/**
 * Port of the ali-oss maintainers' live suite ali-sdk/ali-oss `test/node/bucket.test.js`: putBucket(),
 * getBucketInfo, getBucketLocation, deleteBucket(), listBuckets(), the bucket tags and the bucket
 * encryption cases, run with the real ali-oss client against the emulator with V1 and V4 signing. Test
 * names are the source's `it` names; assertions keep their meaning. Cases of features the emulator does
 * not model (ACL, logging, website, referer, CORS, lifecycle, policy, inventory, request payment) and
 * cases the SDK answers without a request are listed in test/conformance/README.md.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { failure, type OssClient } from '../helpers/oss-test-client.js';
import { SIGNINGS, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
});
afterAll(async () => {
  await w.close();
});

const bucketRegion = 'oss-cn-hangzhou';

describe.each(SIGNINGS)('ali-oss test/node/bucket.test.js (%s)', (signing) => {
  let store: OssClient;
  let bucket: string;

  beforeAll(async () => {
    store = w.client(signing);
    bucket = w.bucketName('ali-oss-test-bucket');
    // The source's before(): putBucket answers the bucket name and 200.
    const result = await store.putBucket(bucket);
    expect(result.bucket).toBe(bucket);
    expect(result.res.status).toBe(200);
  });

  describe('putBucket()', () => {
    it('should create a new bucket', async () => {
      // Act
      const name = w.bucketName('ali-oss-test-putbucket');
      const result = await store.putBucket(name);
      // Assess
      expect(result.bucket).toBe(name);
      expect(result.res.status).toBe(200);
    });

    it('should create an archive bucket', async () => {
      // Prepare
      const archive = w.bucketName('ali-oss-archive-bucket');
      await store.putBucket(archive, { StorageClass: 'Archive' });
      // Act
      const { buckets } = await store.listBuckets({});
      // Assess
      const found = buckets?.find((b) => b.name === archive) as { StorageClass?: string } | undefined;
      expect(found?.StorageClass).toBe('Archive');
    });

    it('should create an public-read bucket', async () => {
      // Prepare
      const name = w.bucketName('ali-oss-zrs');
      // Act
      const res = await store.putBucket(name, { acl: 'public-read' });
      const info = await store.getBucketInfo(name);
      await store.deleteBucket(name);
      // Assess
      expect(res.res.status).toBe(200);
      expect(
        (info.bucket as unknown as { AccessControlList: { Grant: string } }).AccessControlList.Grant,
      ).toBe('public-read');
    });
  });

  describe('getBucketInfo', () => {
    it('it should return correct bucketInfo when bucket exist', async () => {
      // Act
      const result = await store.getBucketInfo(bucket);
      const b = result.bucket as unknown as Record<string, unknown>;
      // Assess
      expect((result as unknown as { res: { status: number } }).res.status).toBe(200);
      expect(b.Location).toBe(bucketRegion);
      expect(b.ExtranetEndpoint).toBe(`${bucketRegion}.aliyuncs.com`);
      expect(b.IntranetEndpoint).toBe(`${bucketRegion}-internal.aliyuncs.com`);
      expect((b.AccessControlList as { Grant: string }).Grant).toBe('private');
      expect(b.StorageClass).toBe('Standard');
    });

    it('it should return NoSuchBucketError when bucket not exist', async () => {
      // Act
      const err = await failure(store.getBucketInfo('not-exists-bucket'));
      // Assess
      expect(err.name).toBe('NoSuchBucketError');
    });
  });

  describe('getBucketLoaction', () => {
    it('it should return loaction this.region', async () => {
      // Act
      const result = await store.getBucketLocation(bucket);
      // Assess
      expect(result.location).toBe(bucketRegion);
    });

    it('it should return NoSuchBucketError when bucket not exist', async () => {
      // Act
      const err = await failure(store.getBucketLocation('not-exists-bucket'));
      // Assess
      expect(err.name).toBe('NoSuchBucketError');
    });
  });

  describe('deleteBucket()', () => {
    it('should delete not exists bucket throw NoSuchBucketError', async () => {
      // Act
      const err = await failure(store.deleteBucket('not-exists-bucket'));
      // Assess
      expect(err.name).toBe('NoSuchBucketError');
    });

    it('should delete not empty bucket throw BucketNotEmptyError', async () => {
      // Prepare
      const c = w.client(signing).useBucket(bucket);
      await c.put('ali-oss-test-bucket.txt', Buffer.from('x'));
      // Act
      const err = await failure(store.deleteBucket(bucket));
      await c.delete('ali-oss-test-bucket.txt');
      // Assess
      expect(err.name).toBe('BucketNotEmptyError');
    });
  });

  describe('listBuckets()', () => {
    let listBucketsPrefix: string;
    beforeAll(async () => {
      listBucketsPrefix = w.bucketName('ali-oss-list-buckets');
      await Promise.all([0, 1].map((i) => store.putBucket(`${listBucketsPrefix}${i}`)));
    });

    it('should list buckets by prefix', async () => {
      // Act
      const result = await store.listBuckets({ prefix: listBucketsPrefix, 'max-keys': 20 });
      // Assess
      expect(Array.isArray(result.buckets)).toBe(true);
      expect(result.buckets?.length).toBe(2);
      expect(result.isTruncated).toBe(false);
      expect(result.nextMarker).toBeNull();
      expect(typeof result.owner.id).toBe('string');
      expect(typeof result.owner.displayName).toBe('string');
      expect(result.buckets?.map((b) => b.name)).toEqual([`${listBucketsPrefix}0`, `${listBucketsPrefix}1`]);
    });

    it('should list buckets by subres', async () => {
      // Prepare
      const tag = { a: '1', b: '2' };
      await store.putBucketTags(`${listBucketsPrefix}0`, tag);
      const tagging = Object.entries(tag)
        .map((pair) => pair.map((inner) => `"${inner}"`).join(':'))
        .join(',');
      // Act
      const { buckets } = await store.listBuckets({
        prefix: listBucketsPrefix,
        subres: { tagging },
      } as never);
      // Assess
      expect((buckets?.[0] as unknown as { tag?: Record<string, string> } | undefined)?.tag).toEqual(tag);
    });
  });

  describe('getBucketTags() putBucketTags() deleteBucketTags()', () => {
    it('should get the tags of bucket', async () => {
      // Act
      const result = await store.getBucketTags(bucket);
      // Assess
      expect((result as unknown as { status: number }).status).toBe(200);
      expect(result.tag).toEqual({});
    });

    it('should configures or updates the tags of bucket', async () => {
      // Act
      const put1 = await store.putBucketTags(bucket, { a: '1', b: '2' });
      const get1 = await store.getBucketTags(bucket);
      const put2 = await store.putBucketTags(bucket, { a: '1' });
      const get2 = await store.getBucketTags(bucket);
      // Assess
      expect(put1.status).toBe(200);
      expect(get1.tag).toEqual({ a: '1', b: '2' });
      expect(put2.status).toBe(200);
      expect(get2.tag).toEqual({ a: '1' });
    });

    it('should delete the tags of bucket', async () => {
      // Prepare
      await store.putBucketTags(bucket, { a: '1', b: '2' });
      // Act
      const deleted = await store.deleteBucketTags(bucket);
      const after = await store.getBucketTags(bucket);
      // Assess
      expect(deleted.status).toBe(204);
      expect(after.tag).toEqual({});
    });
  });

  describe('putBucketEncryption(), getBucketEncryption(), deleteBucketEncryption()', () => {
    it('should create, get and delete the bucket encryption', async () => {
      // Act
      const put = await store.putBucketEncryption(bucket, { SSEAlgorithm: 'AES256' });
      const got = await store.getBucketEncryption(bucket);
      const deleted = await store.deleteBucketEncryption(bucket);
      // Assess
      expect((put as unknown as { res: { status: number } }).res.status).toBe(200);
      expect((got as unknown as { res: { status: number } }).res.status).toBe(200);
      expect(got.encryption).toEqual({ SSEAlgorithm: 'AES256' });
      expect((deleted as unknown as { res: { status: number } }).res.status).toBe(204);
    });
  });
});
