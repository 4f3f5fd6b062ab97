/**
 * The GetBucketEncryption reader parses each distinct answer text once (issue 13's scan CPU): it must
 * still give every bucket its own, correct configuration, keep nothing that could go stale, never
 * remember a failure, and stay bounded. Through the gateway, the real ali-oss client over loopback HTTP
 * against the OSS emulator (answers as in the OSS API reference "GetBucketEncryption").
 */
import { afterEach, describe, expect, it } from 'vitest';
import { encryptionReader } from '../../shared/cloud/oss-xml.js';
import { startWorld, type World } from '../helpers/world.js';

const rule = (inner: string) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>${inner}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>`;
const AES = rule('<SSEAlgorithm>AES256</SSEAlgorithm>');
const KMS_A = rule('<SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>key-a</KMSMasterKeyID>');
const KMS_B = rule('<SSEAlgorithm>KMS</SSEAlgorithm><KMSMasterKeyID>key-b</KMSMasterKeyID>');

describe('encryptionReader', () => {
  it('reads different answers through one reader, each as its own rule', () => {
    // Prepare
    const read = encryptionReader();

    // Act
    const seen = [KMS_A, AES, KMS_B, KMS_A, AES, KMS_B].map(read);

    // Assess
    expect(seen).toEqual([
      { algorithm: 'KMS', kmsKeyId: 'key-a' },
      { algorithm: 'AES256' },
      { algorithm: 'KMS', kmsKeyId: 'key-b' },
      { algorithm: 'KMS', kmsKeyId: 'key-a' },
      { algorithm: 'AES256' },
      { algorithm: 'KMS', kmsKeyId: 'key-b' },
    ]);
  });

  it('gives every caller an object of its own, so changing one answer never changes the next', () => {
    // Prepare
    const read = encryptionReader();
    const first = read(KMS_A);
    if (!first) throw new Error('expected a rule');

    // Act
    first.kmsKeyId = 'changed by a caller';
    const second = read(KMS_A);

    // Assess
    expect(second).not.toBe(first);
    expect(second).toEqual({ algorithm: 'KMS', kmsKeyId: 'key-a' });
  });

  it('throws for an unknown algorithm every time instead of remembering the failure', () => {
    // Prepare
    const read = encryptionReader();
    const bad = rule('<SSEAlgorithm>ROT13</SSEAlgorithm>');

    // Act
    const attempts = [() => read(bad), () => read(bad)];

    // Assess
    for (const attempt of attempts) expect(attempt).toThrow('unknown SSEAlgorithm "ROT13"');
  });

  it('reads a rule with no algorithm as no rule, and keeps reading right past its bound', () => {
    // Prepare
    const read = encryptionReader(2);
    const empty = rule('');

    // Act
    const seen = [KMS_A, KMS_B, empty, AES, KMS_A, empty].map(read);

    // Assess
    expect(seen).toEqual([
      { algorithm: 'KMS', kmsKeyId: 'key-a' },
      { algorithm: 'KMS', kmsKeyId: 'key-b' },
      null,
      { algorithm: 'AES256' },
      { algorithm: 'KMS', kmsKeyId: 'key-a' },
      null,
    ]);
  });
});

describe('OssGateway.getBucketEncryption with the reader', () => {
  let world: World | undefined;
  afterEach(async () => {
    await world?.close();
    world = undefined;
  });

  it('answers each bucket its own rule and sees a changed rule at once', async () => {
    // Prepare
    world = await startWorld();
    const { state } = world.emu.oss;
    state.createBucket('reader-aes', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    state.createBucket('reader-kms', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: 'k1' },
    });
    state.createBucket('reader-none', 'cn-hangzhou', { encryption: null });
    const oss = world.runtime.oss;
    const at = (name: string) => ({ name, region: 'cn-hangzhou' });
    const before = [
      await oss.getBucketEncryption(at('reader-aes')),
      await oss.getBucketEncryption(at('reader-kms')),
      await oss.getBucketEncryption(at('reader-none')),
    ];

    // Act
    await oss.putBucketEncryption(at('reader-aes'), { algorithm: 'KMS', kmsKeyId: 'k2' });
    const after = [
      await oss.getBucketEncryption(at('reader-aes')),
      await oss.getBucketEncryption(at('reader-kms')),
    ];

    // Assess
    expect(before).toEqual([{ algorithm: 'AES256' }, { algorithm: 'KMS', kmsKeyId: 'k1' }, null]);
    expect(after).toEqual([
      { algorithm: 'KMS', kmsKeyId: 'k2' },
      { algorithm: 'KMS', kmsKeyId: 'k1' },
    ]);
  });
});
