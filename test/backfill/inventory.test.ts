/**
 * `backfill --inventory`: the product's real gateways (ali-oss over HTTP) against the OSS emulator, the
 * inventory rule written by `--setup-inventory` (PutBucketInventory through ali-oss), and the inventory
 * delivered by the emulator's admin call (manifest.json + gzipped CSV, user guide "Bucket inventory").
 * HeadObject and CopyObject are counted by the emulator, so "only the objects the inventory shows
 * unencrypted were touched" is measured, not assumed.
 */
import { mkdtemp, readdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deliverInventory } from '../../emulator/oss/index.js';
import { inventoryRules } from '../../emulator/oss/inventory.js';
import { InventoryError } from '../../shared/backfill/inventory.js';
import { setupInventory } from '../../shared/backfill/inventory-setup.js';
import { localBackfill } from '../../shared/backfill/job.js';
import { OssInventory } from '../../shared/cloud/oss-inventory.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

const FIX_POLICY = 'version: 1\nobjects:\n  action: encrypt\n  sse: { minimum: sse-oss }\n';
const HOUR = 3_600_000;

let world: World;
let n = 0;

beforeAll(async () => {
  world = await startWorld();
  world.emu.oss.state.createBucket('inv-files', 'cn-hangzhou');
});
afterAll(async () => {
  await world.close();
});

/** A bucket of `count` objects, one in three unencrypted, with a rule written by the product's setup. */
async function bucketWithRule(count: number): Promise<string> {
  n += 1;
  const name = `inv-src-${n}`;
  world.emu.oss.state.createBucket(name, 'cn-hangzhou');
  for (let i = 0; i < count; i += 1) {
    world.emu.oss.state.putObject(name, `data/obj-${String(i).padStart(4, '0')}.bin`, `object ${i}`, {
      sse: i % 3 === 0 ? null : { algorithm: 'AES256' },
    });
  }
  await setupInventory(deps(), {
    bucket: name,
    destination: 'inv-files',
    roleArn: `acs:ram::${world.emu.accountId}:role/AliyunOSSRole`,
    apply: true,
  });
  return name;
}

function deps() {
  const oss = world.runtime.oss;
  return { inventory: new OssInventory(oss), bucketRegion: (b: string) => oss.bucketRegion(b) };
}

const count = (op: string) => world.emu.oss.faults.count(op);

async function run(bucket: string, policy: string, remediate: boolean, inventory = {}) {
  return localBackfill(
    world.runtime,
    {
      buckets: [bucket],
      remediate,
      location: await mkdtemp(join(tmpdir(), 'inv-run-')),
      policy: policyOf(policy),
      inventory,
      tuning: { pageSize: 7, concurrency: 4 },
    },
    { workers: 2 },
  );
}

describe('backfill --setup-inventory', () => {
  it('shows the rule without writing it, then with apply writes the documented configuration', async () => {
    // Prepare
    world.emu.oss.state.createBucket('inv-setup', 'cn-hangzhou');
    const req = {
      bucket: 'inv-setup',
      destination: 'inv-files',
      roleArn: `acs:ram::${world.emu.accountId}:role/AliyunOSSRole`,
    };
    const bucket = world.emu.oss.state.getBucket('inv-setup');
    if (!bucket) throw new Error('no bucket');

    // Act
    const dry = await setupInventory(deps(), { ...req, apply: false });
    const rulesAfterDry = inventoryRules(bucket).size;
    const applied = await setupInventory(deps(), { ...req, apply: true });

    // Assess
    expect(dry.applied).toBe(false);
    expect(rulesAfterDry).toBe(0);
    expect(applied.applied).toBe(true);
    const stored = inventoryRules(bucket).get('oss-sse-guard');
    expect(stored).toMatchObject({
      isEnabled: true,
      frequency: 'Weekly',
      includedObjectVersions: 'Current',
      destination: {
        bucket: 'inv-files',
        prefix: 'oss-sse-guard-inventory',
        encryption: { kind: 'SSE-OSS' },
      },
    });
    expect(stored?.optionalFields).toEqual(
      expect.arrayContaining(['EncryptionStatus', 'ETag', 'Size', 'LastModifiedDate']),
    );
    expect(applied.rule.optionalFields).toContain('EncryptionStatus');
  });
});

describe('backfill --inventory', () => {
  it('fixes exactly the objects the inventory shows unencrypted, and says how old the inventory was', async () => {
    // Prepare
    const bucket = await bucketWithRule(60);
    deliverInventory(world.emu.oss.state, bucket, 'oss-sse-guard', {
      at: new Date(Date.now() - 3 * HOUR),
      rowsPerFile: 25,
    });
    const heads = count('HeadObject');
    const copies = count('CopyObject');

    // Act
    const { report } = await run(bucket, FIX_POLICY, true);

    // Assess
    expect(count('CopyObject') - copies).toBe(20);
    // One HeadObject before the copy and one reading it back, for the 20 unencrypted objects only.
    expect(count('HeadObject') - heads).toBe(40);
    expect(report.summary.objects).toBe(60);
    expect(report.summary.actions.encrypted).toBe(20);
    expect(report.shards).toHaveLength(3);
    const inv = report.inventory?.[0];
    expect(inv).toMatchObject({
      bucket,
      id: 'oss-sse-guard',
      files: 3,
      judgedFromInventory: 40,
      checkedWithHead: 20,
    });
    expect(inv?.ageHours).toBeGreaterThanOrEqual(3);
    expect(inv?.ageHours).toBeLessThan(4);
    const b = world.emu.oss.state.getBucket(bucket);
    const plain = [...(b?.objects.values() ?? [])].filter((o) => !o.sse);
    expect(plain).toHaveLength(0);
  });

  it('handles objects encrypted, overwritten or deleted after the inventory was taken', async () => {
    // Prepare
    const bucket = await bucketWithRule(12);
    deliverInventory(world.emu.oss.state, bucket, 'oss-sse-guard', { at: new Date(Date.now() - HOUR) });
    const s = world.emu.oss.state;
    s.putObject(bucket, 'data/obj-0000.bin', 'object 0', { sse: { algorithm: 'AES256' } }); // encrypted since
    s.putObject(bucket, 'data/obj-0003.bin', 'a newer upload', { sse: null }); // overwritten since
    s.deleteObject(bucket, 'data/obj-0006.bin'); // deleted since
    const copies = count('CopyObject');

    // Act
    const { report } = await run(bucket, FIX_POLICY, true);

    // Assess
    const byKey = new Map(report.findings.map((f) => [f.key, f]));
    expect(byKey.has('data/obj-0000.bin')).toBe(false);
    expect(byKey.get('data/obj-0003.bin')?.action.kind).toBe('skipped');
    expect(byKey.get('data/obj-0003.bin')?.action.reason).toMatch(/replaced since/);
    expect(s.getObject(bucket, 'data/obj-0003.bin')?.body.toString()).toBe('a newer upload');
    expect(byKey.get('data/obj-0006.bin')?.verdict).toBe('missing');
    expect(byKey.get('data/obj-0009.bin')?.action.kind).toBe('encrypted');
    expect(count('CopyObject') - copies).toBe(1);
    expect(report.summary.byVerdict.encrypted).toBe(9);
  });

  it('falls back to HeadObject for every encrypted object when the requirement names a CMK', async () => {
    // Prepare
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou', description: 'inventory CMK' });
    const bucket = await bucketWithRule(0);
    const s = world.emu.oss.state;
    s.putObject(bucket, 'cmk.bin', 'a', { sse: { algorithm: 'KMS', kmsKeyId: key.keyId } });
    s.putObject(bucket, 'default-kms.bin', 'b', { sse: { algorithm: 'KMS' } });
    s.putObject(bucket, 'aes.bin', 'c', { sse: { algorithm: 'AES256' } });
    s.putObject(bucket, 'plain.bin', 'd', { sse: null });
    deliverInventory(s, bucket, 'oss-sse-guard', { at: new Date(Date.now() - HOUR) });
    const heads = count('HeadObject');
    const policy = `version: 1\nobjects:\n  action: alert\n  sse: { algorithm: KMS, kmsKeyId: ${key.keyId} }\n`;

    // Act
    const { report } = await run(bucket, policy, false);

    // Assess
    expect(count('HeadObject') - heads).toBe(4);
    expect(report.summary.byVerdict).toMatchObject({ encrypted: 1, 'wrong-key': 2, unencrypted: 1 });
    expect(report.inventory?.[0]).toMatchObject({ judgedFromInventory: 0, checkedWithHead: 4 });
  });

  it('reports a bucket without a rule, a rule that delivered nothing, and a stale inventory, and starts nothing', async () => {
    // Prepare
    world.emu.oss.state.createBucket('inv-norule', 'cn-hangzhou');
    const undelivered = await bucketWithRule(3);
    const stale = await bucketWithRule(3);
    deliverInventory(world.emu.oss.state, stale, 'oss-sse-guard', {
      at: new Date(Date.now() - 9 * 24 * HOUR),
    });
    const location = await mkdtemp(join(tmpdir(), 'inv-missing-'));
    const heads = count('HeadObject');

    // Act
    const err = await localBackfill(world.runtime, {
      buckets: ['inv-norule', undelivered, stale],
      remediate: false,
      location,
      policy: policyOf(FIX_POLICY),
      inventory: {},
    }).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(InventoryError);
    const msg = (err as Error).message;
    expect(msg).toMatch(/3 of 3 buckets/);
    expect(msg).toMatch(/"inv-norule".*no enabled inventory rule/);
    expect(msg).toMatch(new RegExp(`"${undelivered}".*delivered nothing yet`));
    expect(msg).toMatch(new RegExp(`"${stale}".*h ago\\); expected at most 192 h`));
    expect(count('HeadObject') - heads).toBe(0);
    expect(await readdir(location)).toEqual([]);
  });

  it('accepts an older inventory when --inventory-max-age allows it', async () => {
    // Prepare
    const bucket = await bucketWithRule(6);
    deliverInventory(world.emu.oss.state, bucket, 'oss-sse-guard', {
      at: new Date(Date.now() - 9 * 24 * HOUR),
    });

    // Act
    const { report } = await run(bucket, FIX_POLICY, false, { id: 'oss-sse-guard', maxAgeHours: 24 * 10 });

    // Assess
    expect(report.inventory?.[0]?.ageHours).toBeGreaterThan(24 * 9 - 1);
    expect(report.summary.byVerdict.unencrypted).toBe(2);
  });
});
