/**
 * Port of the ali-oss maintainers' live suite ali-sdk/ali-oss `test/node/object.test.js` (put(), head(),
 * get(), delete() and copy() with their conditional-request cases) and the SSE cases of
 * `test/node/multipart.test.js` (multipartUpload() "with x-oss-server-side-encryption"), run with the
 * real ali-oss client against the emulator with V1 and V4 signing. Test names are the source's `it`
 * names; assertions keep their meaning. Cases that cannot apply are listed in test/conformance/README.md.
 */
import { Readable } from 'node:stream';
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

const SRC = 'test/node/object.test.js';
const meta = { uid: '1', pid: '123', slus: 'test.html' };
const body = Buffer.from('content of ali-sdk/oss/get-meta.js');
const yearFrom = (httpDate: string, years: number) => {
  const d = new Date(httpDate);
  d.setUTCFullYear(d.getUTCFullYear() + years);
  return d.toUTCString();
};

describe.each(SIGNINGS)(`ali-oss ${SRC} (%s)`, (signing) => {
  let c: OssClient;
  let bucket: string;
  /** The PUT response headers of the object the conditional cases read (`resHeaders` in the source). */
  let resHeaders: Record<string, string>;
  const name = 'ali-sdk/oss/get-meta.js';

  beforeAll(async () => {
    ({ c, name: bucket } = await w.newBucket(signing, 'ali-object'));
    resHeaders = (await c.put(name, body, { meta })).res.headers;
  });

  describe('put()', () => {
    it('should add object with readstream', async () => {
      // Prepare
      const content = Buffer.from('a readstream with a Content-Length');
      // Act
      const object = await c.put('put-readstream', Readable.from([content]) as unknown as Buffer, {
        headers: { 'Content-Length': String(content.length) },
      });
      // Assess
      expect(typeof object.res.headers['x-oss-request-id']).toBe('string');
      expect(typeof object.res.headers.etag).toBe('string');
    });

    it('should add object with meta', async () => {
      // Act
      await c.put('put-meta.js', body, { meta: { uid: '1', slus: 'test.html' } });
      const info = await c.head('put-meta.js');
      // Assess
      expect(info.meta).toEqual({ uid: '1', slus: 'test.html' });
      expect(info.status).toBe(200);
    });
  });

  describe('head()', () => {
    it('should head not exists object throw NoSuchKeyError', async () => {
      // Act
      const err = await failure(c.head(`${name}not-exists`));
      // Assess
      expect(err.name).toBe('NoSuchKeyError');
      expect(err.status).toBe(404);
      expect(typeof err.requestId).toBe('string');
    });

    it.each([
      ['If-Modified-Since < object modified time', 'If-Modified-Since', -1, 200],
      ['If-Modified-Since = object modified time', 'If-Modified-Since', 0, 304],
      ['If-Modified-Since > object modified time', 'If-Modified-Since', 1, 304],
      ['If-Unmodified-Since = object modified time', 'If-Unmodified-Since', 0, 200],
      ['If-Unmodified-Since > object modified time', 'If-Unmodified-Since', 1, 200],
    ] as const)('should head exists object with %s', async (_case, headerName, years, status) => {
      // Act
      const info = await c.head(name, { headers: { [headerName]: yearFrom(resHeaders.date ?? '', years) } });
      // Assess
      expect(info.status).toBe(status);
      if (status === 304) expect(info.meta).toBeNull();
      else expect(info.meta).toBeTruthy();
    });

    it('should head exists object with If-Unmodified-Since < object modified time', async () => {
      // Act
      const err = await failure(
        c.head(name, { headers: { 'If-Unmodified-Since': yearFrom(resHeaders.date ?? '', -1) } }),
      );
      // Assess
      expect(err.name).toBe('PreconditionFailedError');
      expect(err.status).toBe(412);
    });

    it('should head exists object with If-Match equal etag', async () => {
      // Act
      const info = await c.head(name, { headers: { 'If-Match': resHeaders.etag ?? '' } });
      // Assess
      expect(info.meta).toEqual(meta);
      expect(info.status).toBe(200);
    });

    it('should head exists object with If-Match not equal etag', async () => {
      // Act
      const err = await failure(c.head(name, { headers: { 'If-Match': '"foo-etag"' } }));
      // Assess
      expect(err).toMatchObject({ name: 'PreconditionFailedError', status: 412 });
    });

    it('should head exists object with If-None-Match equal etag', async () => {
      // Act
      const info = await c.head(name, { headers: { 'If-None-Match': resHeaders.etag ?? '' } });
      // Assess
      expect(info.meta).toBeNull();
      expect(info.status).toBe(304);
    });

    it('should head exists object with If-None-Match not equal etag', async () => {
      // Act
      const info = await c.head(name, { headers: { 'If-None-Match': '"foo-etag"' } });
      // Assess
      expect(info.meta).toEqual(meta);
      expect(info.status).toBe(200);
    });
  });

  describe('get()', () => {
    it('should throw NoSuchKeyError when object not exists', async () => {
      // Act
      const err = await failure(c.get('not-exists-key'));
      // Assess
      expect(err).toMatchObject({ name: 'NoSuchKeyError', status: 404 });
      expect(typeof err.requestId).toBe('string');
      expect(err.message).toBe('The specified key does not exist.');
    });

    it.each([
      ['should 200 when If-Modified-Since < object modified time', 'If-Modified-Since', -1, 200],
      ['should 304 when If-Modified-Since = object modified time', 'If-Modified-Since', 0, 304],
      ['should 304 when If-Modified-Since > object modified time', 'If-Modified-Since', 1, 304],
      ['should 200 when If-Unmodified-Since = object modified time', 'If-Unmodified-Since', 0, 200],
      ['should 200 when If-Unmodified-Since > object modified time', 'If-Unmodified-Since', 1, 200],
    ] as const)('%s', async (_case, headerName, years, status) => {
      // Act
      const result = await c.get(name, { headers: { [headerName]: yearFrom(resHeaders.date ?? '', years) } });
      // Assess
      expect(result.res.status).toBe(status);
      expect(Buffer.isBuffer(result.content)).toBe(true);
      if (status === 304) expect(result.content.length).toBe(0);
      else expect(result.content.toString()).toContain('ali-sdk/oss/get-meta.js');
    });

    it('should throw PreconditionFailedError when If-Unmodified-Since < object modified time', async () => {
      // Act
      const err = await failure(
        c.get(name, { headers: { 'If-Unmodified-Since': yearFrom(resHeaders.date ?? '', -1) } }),
      );
      // Assess
      expect(err).toMatchObject({ status: 412, name: 'PreconditionFailedError' });
      expect(err.message).toBe(
        'At least one of the pre-conditions you specified did not hold. (condition: If-Unmodified-Since)',
      );
      expect(typeof err.requestId).toBe('string');
      expect(typeof err.hostId).toBe('string');
    });

    it('should 200 when If-Match equal object etag', async () => {
      // Act
      const result = await c.get(name, { headers: { 'If-Match': resHeaders.etag ?? '' } });
      // Assess
      expect(result.res.status).toBe(200);
    });

    it('should throw PreconditionFailedError when If-Match not equal object etag', async () => {
      // Act
      const err = await failure(c.get(name, { headers: { 'If-Match': 'foo' } }));
      // Assess
      expect(err).toMatchObject({ name: 'PreconditionFailedError', status: 412 });
    });

    it('should 200 when If-None-Match not equal object etag', async () => {
      // Act
      const result = await c.get(name, { headers: { 'If-None-Match': 'foo' } });
      // Assess
      expect(result.res.status).toBe(200);
    });

    it('should 304 when If-None-Match equal object etag', async () => {
      // Act
      const result = await c.get(name, { headers: { 'If-None-Match': resHeaders.etag ?? '' } });
      // Assess
      expect(result.res.status).toBe(304);
      expect(result.content.length).toBe(0);
    });

    it('should work with Range header and get top 10 bytes content', async () => {
      // Prepare
      await c.put('range-header-test', Buffer.from('aaaaaaaaaabbbbbbbbbb'));
      // Act
      const result = await c.get('range-header-test', { headers: { Range: 'bytes=0-9' } });
      // Assess
      expect(result.res.headers['content-length']).toBe('10');
      expect(result.content.toString()).toBe('aaaaaaaaaa');
    });
  });

  describe('delete()', () => {
    it('should delete exsits object', async () => {
      // Prepare
      await c.put('delete.js', body);
      // Act
      const info = await c.delete('delete.js');
      const err = await failure(c.head('delete.js'));
      // Assess
      expect(info.res.status).toBe(204);
      expect(err.name).toBe('NoSuchKeyError');
    });

    it('should delete not exists object', async () => {
      // Act
      const info = await c.delete('not-exists-name');
      // Assess
      expect(info.res.status).toBe(204);
    });
  });

  describe('copy()', () => {
    it('should copy object from same bucket', async () => {
      // Act
      const result = await c.copy('copy-new.js', name);
      const info = await c.head('copy-new.js');
      // Assess
      expect(result.res.status).toBe(200);
      expect(typeof result.data?.etag).toBe('string');
      expect(typeof result.data?.lastModified).toBe('string');
      expect(info.meta).toEqual(meta);
    });

    it('should copy object with non-english name and bucket', async () => {
      // Prepare
      await c.put('copy-meta_测试2.js', body, { meta: { uid: '3', pid: '12345', slus: 'test2.html' } });
      // Act
      const result = await c.copy('copy-new_测试2.js', `/${bucket}/copy-meta_测试2.js`);
      const info = await c.head('copy-new_测试2.js');
      // Assess
      expect(result.res.status).toBe(200);
      expect(info.meta).toEqual({ uid: '3', pid: '12345', slus: 'test2.html' });
    });

    it('should copy object and set other meta', async () => {
      // Act
      const result = await c.copy('copy-new-2.js', name, { meta: { uid: '2' } });
      const info = await c.head('copy-new-2.js');
      // Assess
      expect(result.res.status).toBe(200);
      expect(info.meta).toEqual({ uid: '2' });
    });

    it('should use copy to change exists object headers', async () => {
      // Prepare
      await c.copy('copy-new-3.js', name);
      const before = await c.head('copy-new-3.js');
      // Act
      const result = await c.copy('copy-new-3.js', 'copy-new-3.js', {
        headers: { 'Cache-Control': 'max-age=0, s-maxage=86400' },
      });
      const info = await c.head('copy-new-3.js');
      // Assess
      expect(before.res.headers['cache-control']).toBeUndefined();
      expect(result.res.status).toBe(200);
      expect(info.res.headers['cache-control']).toBe('max-age=0, s-maxage=86400');
    });

    it('should throw NoSuchKeyError when source object not exists', async () => {
      // Act
      const err = await failure(c.copy('new-object', 'not-exists-object'));
      // Assess
      expect(err).toMatchObject({ name: 'NoSuchKeyError', status: 404 });
      expect(err.message).toBe('The specified key does not exist.');
    });

    it('should throw PreconditionFailedError when If-Match not equal source object etag', async () => {
      // Act
      const err = await failure(c.copy('new-name', name, { headers: { 'If-Match': 'foo-bar' } }));
      // Assess
      expect(err).toMatchObject({ name: 'PreconditionFailedError', status: 412 });
      expect(err.message).toBe(
        'At least one of the pre-conditions you specified did not hold. (condition: If-Match)',
      );
    });

    it('should copy object when If-Match equal source object etag', async () => {
      // Act
      const result = await c.copy('copy-new-If-Match.js', name, {
        headers: { 'If-Match': resHeaders.etag ?? '' },
      });
      // Assess
      expect(result.res.status).toBe(200);
      expect(typeof result.data?.etag).toBe('string');
    });

    it('should return 304 when If-None-Match equal source object etag', async () => {
      // Act
      const result = await c.copy('new-name', name, { headers: { 'If-None-Match': resHeaders.etag ?? '' } });
      // Assess
      expect(result.res.status).toBe(304);
      expect(result.data).toBeNull();
    });

    it('should copy object when If-None-Match not equal source object etag', async () => {
      // Act
      const result = await c.copy('copy-new-If-None-Match.js', name, {
        headers: { 'If-None-Match': 'foo-bar' },
      });
      // Assess
      expect(result.res.status).toBe(200);
    });

    it.each([
      ['should 304 when If-Modified-Since > source object modified time', 'If-Modified-Since', 1, 304],
      ['should 304 when If-Modified-Since >= source object modified time', 'If-Modified-Since', 0, 304],
      ['should 200 when If-Modified-Since < source object modified time', 'If-Modified-Since', -1, 200],
      ['should 200 when If-Unmodified-Since > source object modified time', 'If-Unmodified-Since', 1, 200],
      ['should 200 when If-Unmodified-Since >= source object modified time', 'If-Unmodified-Since', 0, 200],
    ] as const)('%s', async (_case, headerName, years, status) => {
      // Act
      const result = await c.copy('copy-new-dates.js', name, {
        headers: { [headerName]: yearFrom(resHeaders.date ?? '', years) },
      });
      // Assess
      expect(result.res.status).toBe(status);
    });

    it('should throw PreconditionFailedError when If-Unmodified-Since < source object modified time', async () => {
      // Act
      const err = await failure(
        c.copy('copy-new-dates.js', name, {
          headers: { 'If-Unmodified-Since': yearFrom(resHeaders.date ?? '', -1) },
        }),
      );
      // Assess
      expect(err).toMatchObject({ name: 'PreconditionFailedError', status: 412 });
      expect(err.message).toBe(
        'At least one of the pre-conditions you specified did not hold. (condition: If-Unmodified-Since)',
      );
    });
  });

  describe('test/node/multipart.test.js multipartUpload()', () => {
    it('should initMultipartUpload with x-oss-server-side-encryption', async () => {
      // Act
      const result = await c.initMultipartUpload('multipart-x-oss-server-side-encryption', {
        headers: { 'x-oss-server-side-encryption': 'AES256' },
      });
      // Assess
      expect(result.res.headers['x-oss-server-side-encryption']).toBe('AES256');
    });

    it('should multipartUpload with x-oss-server-side-encryption', async () => {
      // Act: the source uploads 1003 * 1020 bytes; ali-oss splits it into parts.
      const result = await c.multipartUpload(
        'multipart-x-oss-server-side-encryption',
        Buffer.alloc(1003 * 1020, 'a'),
        {
          partSize: 100 * 1024,
          headers: { 'x-oss-server-side-encryption': 'KMS' },
        },
      );
      // Assess
      expect(result.res.headers['x-oss-server-side-encryption']).toBe('KMS');
    });
  });
});
