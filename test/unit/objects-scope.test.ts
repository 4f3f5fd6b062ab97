/**
 * The upload guard's pure parts: scope, candidate keys, classification against the object requirement,
 * the memory of its own writes, the part-size arithmetic of the multipart path, SSE headers and the RAM
 * permissions it declares.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_MULTIPART_THRESHOLD,
  DEFAULT_PART_SIZE,
  effectivePartSize,
  sseFromHeaders,
  sseRequestHeaders,
} from '../../shared/cloud/oss-objects.js';
import { classify } from '../../shared/objects/inspect.js';
import { OwnWrites } from '../../shared/objects/own-writes.js';
import { uploadGuardPermissions } from '../../shared/objects/permissions.js';
import { candidateKeys, objectsPolicy, outOfScope } from '../../shared/objects/scope.js';
import { describeRequirement } from '../../shared/policy/levels.js';
import { policySchema } from '../../shared/policy/schema.js';

const GB = 1024 ** 3;
const objects = (o: Record<string, unknown>) => objectsPolicy(policySchema.parse({ version: 1, objects: o }));

describe('scope', () => {
  it('defaults to every bucket and key, alerting, at least sse-oss, when the policy has no objects section', () => {
    expect(objectsPolicy(policySchema.parse({ version: 1 }))).toEqual({
      action: 'alert',
      buckets: ['*'],
      include: ['**'],
      exclude: [],
      sse: { minimum: 'sse-oss' },
      match: 'at-least',
    });
  });

  it('applies bucket globs, include and exclude, and names the rule that left an object out', () => {
    // Prepare
    const o = objects({
      buckets: ['prod-*'],
      include: ['data/**', '.well-known/**'],
      exclude: ['data/tmp/**'],
    });
    // Act + Assess
    expect(outOfScope(o, 'prod-a', 'data/x/y.csv')).toBeUndefined();
    expect(outOfScope(o, 'prod-a', '.well-known/keys')).toBeUndefined();
    expect(outOfScope(o, 'dev-a', 'data/x.csv')).toBe(
      'bucket "dev-a" is outside the policy (objects.buckets: prod-*)',
    );
    expect(outOfScope(o, 'prod-a', 'logs/x.csv')).toBe(
      'key is not under objects.include (data/**, .well-known/**)',
    );
    expect(outOfScope(o, 'prod-a', 'data/tmp/x.csv')).toBe(
      'key is excluded by objects.exclude "data/tmp/**"',
    );
  });
});

describe('candidate keys', () => {
  it.each([
    ['plain/key.txt', ['plain/key.txt']],
    ['a+b.txt', ['a+b.txt', 'a b.txt']],
    ['a%2Bb.txt', ['a%2Bb.txt', 'a+b.txt']],
    ['x%2Fy%20z+1', ['x%2Fy%20z+1', 'x/y z 1', 'x/y z+1']],
    ['100% sure.txt', ['100% sure.txt']],
    ['%E4%B8%AD%E6%96%87.txt', ['%E4%B8%AD%E6%96%87.txt', '中文.txt']],
  ])('tries %j, then its decoded forms', (key, expected) => {
    expect(candidateKeys(key)).toEqual(expected);
  });
});

describe('classification', () => {
  const cmk = { algorithm: 'KMS' as const, kmsKeyId: 'alias/prod' };

  it.each([
    [
      { minimum: 'sse-oss' as const },
      null,
      'unencrypted',
      'has no server-side encryption; expected at least sse-oss',
    ],
    [
      { minimum: 'sse-oss' as const },
      { algorithm: 'SM4' as const },
      'encrypted',
      'meets at least sse-oss (SM4)',
    ],
    [
      { minimum: 'kms' as const },
      { algorithm: 'AES256' as const },
      'wrong-key',
      'is sse-oss (AES256); expected at least kms',
    ],
    [
      cmk,
      { algorithm: 'KMS' as const, kmsKeyId: 'other' },
      'wrong-key',
      'uses KMS key other; expected key alias/prod',
    ],
    [
      cmk,
      { algorithm: 'KMS' as const, kmsKeyId: 'key-1' },
      'encrypted',
      'meets KMS, key alias/prod (KMS, key key-1)',
    ],
  ])('judges %j against %j as %s', (req, observed, verdict, reason) => {
    // Act
    const resolve = (r: string) => (r === 'alias/prod' ? 'key-1' : undefined);
    const c = classify(req, 'at-least', observed, describeRequirement(req, 'at-least'), resolve);
    // Assess
    expect(c).toEqual({ verdict, reason });
  });
});

describe('own writes', () => {
  it('recognises a version it wrote by ETag and Last-Modified, and nothing else', () => {
    // Prepare
    const w = new OwnWrites(2);
    w.remember({ bucket: 'b', key: 'k', etag: '"ABC"', lastModified: 'Tue, 13 Jan 2026 06:45:43 GMT' });
    // Act + Assess
    expect(
      w.wrote({ bucket: 'b', key: 'k', etag: 'abc', lastModified: 'Tue, 13 Jan 2026 06:45:43 GMT' }),
    ).toBe(true);
    expect(
      w.wrote({ bucket: 'b', key: 'k', etag: 'ABC', lastModified: 'Tue, 13 Jan 2026 07:00:00 GMT' }),
    ).toBe(false);
    expect(w.wrote({ bucket: 'b', key: 'other', etag: 'ABC' })).toBe(false);
  });

  it('forgets the oldest version beyond its capacity', () => {
    // Prepare
    const w = new OwnWrites(2);
    for (const etag of ['1', '2', '3']) w.remember({ bucket: 'b', key: 'k', etag });
    // Assess
    expect(w.size).toBe(2);
    expect(w.wrote({ bucket: 'b', key: 'k', etag: '1' })).toBe(false);
    expect(w.wrote({ bucket: 'b', key: 'k', etag: '3' })).toBe(true);
  });
});

describe('multipart part sizes', () => {
  it('copies a 5 GB object in 80 parts of 64 MB by default, above the 1 GB CopyObject limit', () => {
    // Act
    const size = 5 * GB;
    const part = effectivePartSize(size);
    // Assess
    expect(size).toBeGreaterThanOrEqual(DEFAULT_MULTIPART_THRESHOLD);
    expect(part).toBe(DEFAULT_PART_SIZE);
    expect(Math.ceil(size / part)).toBe(80);
  });

  it('raises the part size to stay within 10,000 parts and never goes below 100 KB', () => {
    expect(effectivePartSize(48.8 * 1024 * GB, 1024 * 1024)).toBe(Math.ceil((48.8 * 1024 * GB) / 10_000));
    expect(effectivePartSize(3 * 1024 * 1024, 1)).toBe(100 * 1024);
  });
});

describe('SSE headers', () => {
  it('reads an object SSE from HeadObject headers and writes the request headers for a target', () => {
    expect(sseFromHeaders({})).toBeNull();
    expect(
      sseFromHeaders({
        'x-oss-server-side-encryption': 'AES256',
        'x-oss-server-side-encryption-key-id': 'k',
      }),
    ).toEqual({
      algorithm: 'AES256',
    });
    expect(
      sseFromHeaders({
        'x-oss-server-side-encryption': 'KMS',
        'x-oss-server-side-encryption-key-id': 'k',
        'x-oss-server-side-data-encryption': 'SM4',
      }),
    ).toEqual({ algorithm: 'KMS', kmsKeyId: 'k', kmsDataEncryption: 'SM4' });
    expect(sseRequestHeaders({ algorithm: 'KMS', kmsKeyId: 'k' })).toEqual({
      'x-oss-server-side-encryption': 'KMS',
      'x-oss-server-side-encryption-key-id': 'k',
    });
  });
});

describe('RAM permissions', () => {
  it('asks only for GetObject when alerting, and for the copy and KMS actions when encrypting with KMS', () => {
    // Prepare
    const alert = policySchema.parse({ version: 1, objects: { buckets: ['prod-*'] } });
    const encrypt = policySchema.parse({
      version: 1,
      objects: { action: 'encrypt', sse: { algorithm: 'KMS' } },
    });
    // Act
    const a = uploadGuardPermissions({ policy: alert });
    const e = uploadGuardPermissions({ policy: encrypt });
    // Assess
    expect(a).toEqual([
      { actions: ['oss:GetObject'], resources: ['acs:oss:*:*:prod-*/*'], reason: expect.any(String) },
    ]);
    expect(e.flatMap((p) => p.actions)).toEqual([
      'oss:GetObject',
      'oss:PutObject',
      'oss:GetObjectTagging',
      'oss:PutObjectTagging',
      'oss:AbortMultipartUpload',
      'kms:DescribeKey',
      'kms:GenerateDataKey',
      'kms:Decrypt',
    ]);
  });
});
