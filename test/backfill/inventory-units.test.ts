/**
 * The inventory pieces on their own: the pure judgement of a row, the setup rule and its validation, the
 * flag parsing, and reading a delivered file (ali-oss GetObject against the emulator) with a step that
 * stops early and one that resumes from its checkpoint without counting a row twice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inventoryRequestOf, inventoryText } from '../../cli/backfill-inventory.js';
import { deliverInventory } from '../../emulator/oss/index.js';
import { encryptedRowSettles, judgeRow, parseFolderTime } from '../../shared/backfill/inventory.js';
import { InventoryRows } from '../../shared/backfill/inventory-rows.js';
import { inventoryStep } from '../../shared/backfill/inventory-scan.js';
import { inventoryRuleFor, setupInventory } from '../../shared/backfill/inventory-setup.js';
import type { BackfillReport } from '../../shared/backfill/types.js';
import { OssInventory } from '../../shared/cloud/oss-inventory.js';
import { objectGateway } from '../../shared/cloud/oss-objects.js';
import { ConfigError } from '../../shared/errors.js';
import { silentLogger } from '../../shared/log.js';
import { OwnWrites } from '../../shared/objects/own-writes.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

const ROLE = 'acs:ram::1234567890:role/AliyunOSSRole';

describe('row judgement (pure)', () => {
  it('settles an encrypted row only when any encryption meets the requirement', () => {
    // Act
    const sseOss = encryptedRowSettles({ sse: { minimum: 'sse-oss' }, match: 'at-least' });
    const kms = encryptedRowSettles({ sse: { minimum: 'kms' }, match: 'at-least' });
    const cmk = encryptedRowSettles({ sse: { algorithm: 'KMS', kmsKeyId: 'key-1' }, match: 'at-least' });

    // Assess
    expect([sseOss, kms, cmk]).toEqual([true, false, false]);
    expect(judgeRow('true', true)).toBe('compliant');
    expect(judgeRow('false', true)).toBe('check');
    expect(judgeRow('true', false)).toBe('check');
    expect(judgeRow(undefined, true)).toBe('check');
    expect(judgeRow('AES256', true)).toBe('check');
  });

  it('reads the documented delivery folder timestamp and nothing else', () => {
    // Assess
    expect(parseFolderTime('2020-05-17T16-00Z')?.toISOString()).toBe('2020-05-17T16:00:00.000Z');
    expect(parseFolderTime('data')).toBeUndefined();
    expect(parseFolderTime('2020-13-45T99-00Z')).toBeUndefined();
  });
});

describe('setup rule and flags (pure)', () => {
  it('builds the documented rule: encrypted CSV, current versions, EncryptionStatus among the fields', () => {
    // Act
    const rule = inventoryRuleFor({
      bucket: 'b1x',
      destination: 'inv-dest',
      roleArn: ROLE,
      apply: false,
      kmsKeyId: 'k1',
    });

    // Assess
    expect(rule).toMatchObject({
      id: 'oss-sse-guard',
      enabled: true,
      includedObjectVersions: 'Current',
      frequency: 'Weekly',
      destination: {
        bucket: 'inv-dest',
        accountId: '1234567890',
        encryption: { kind: 'SSE-KMS', keyId: 'k1' },
      },
    });
    expect(rule.optionalFields).toContain('EncryptionStatus');
  });

  it('names the bad field of a setup request', () => {
    // Assess
    expect(() =>
      inventoryRuleFor({ bucket: 'b1x', destination: 'Bad_Bucket', roleArn: ROLE, apply: false }),
    ).toThrow(/--inventory-bucket: "Bad_Bucket"/);
    expect(() =>
      inventoryRuleFor({ bucket: 'b1x', destination: 'inv-dest', roleArn: 'role', apply: false }),
    ).toThrow(/--inventory-role: "role"/);
    expect(() =>
      inventoryRuleFor({ bucket: 'b1x', destination: 'inv-dest', roleArn: ROLE, id: 'a b', apply: false }),
    ).toThrow(ConfigError);
  });

  it('turns --inventory [ID] and --inventory-max-age into the request, and refuses a bad age', () => {
    // Assess
    expect(inventoryRequestOf({})).toBeUndefined();
    expect(inventoryRequestOf({ inventory: true })).toEqual({});
    expect(inventoryRequestOf({ inventory: 'weekly', inventoryMaxAge: '36' })).toEqual({
      id: 'weekly',
      maxAgeHours: 36,
    });
    expect(() => inventoryRequestOf({ inventory: true, inventoryMaxAge: 'soon' })).toThrow(
      /--inventory-max-age: "soon"/,
    );
    expect(() => inventoryRequestOf({ inventoryMaxAge: '3' })).toThrow(/only with --inventory/);
    expect(inventoryText({ inventory: [] } as unknown as BackfillReport)).toEqual([]);
  });
});

describe('reading a delivered file', () => {
  let world: World;
  beforeAll(async () => {
    world = await startWorld();
    const s = world.emu.oss.state;
    s.createBucket('unit-src', 'cn-hangzhou');
    s.createBucket('unit-dest', 'cn-hangzhou');
    s.createBucket('unit-far', 'cn-shanghai');
    for (let i = 0; i < 30; i += 1) {
      s.putObject('unit-src', `k/${String(i).padStart(2, '0')} x%.bin`, `v${i}`, {
        sse: i % 10 === 4 ? null : { algorithm: 'AES256' },
      });
    }
  });
  afterAll(async () => {
    await world.close();
  });

  it('refuses a destination in another region before any write', async () => {
    // Act
    const err = await setupInventory(
      {
        inventory: new OssInventory(world.runtime.oss),
        bucketRegion: (b) => world.runtime.oss.bucketRegion(b),
      },
      { bucket: 'unit-src', destination: 'unit-far', roleArn: ROLE, apply: true },
    ).catch((e: unknown) => e);

    // Assess
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/"unit-far" is in cn-shanghai/);
  });

  it('stops at the first unchecked object when out of time, and resumes there without counting a row twice', async () => {
    // Prepare
    const inventory = new OssInventory(world.runtime.oss);
    await setupInventory(
      { inventory, bucketRegion: (b) => world.runtime.oss.bucketRegion(b) },
      { bucket: 'unit-src', destination: 'unit-dest', roleArn: ROLE, apply: true },
    );
    const d = deliverInventory(world.emu.oss.state, 'unit-src', 'oss-sse-guard');
    const file = {
      bucket: 'unit-dest',
      region: 'cn-hangzhou',
      key: d.manifest.files[0]?.key as string,
      schema: d.manifest.fileSchema.split(', '),
    };
    const deps = {
      oss: objectGateway(world.runtime.oss),
      kms: world.runtime.kms,
      logger: silentLogger(),
      ownWrites: new OwnWrites(),
      clock: { now: () => new Date() },
    };
    const policy = policyOf('version: 1\nobjects:\n  action: alert\n').policy;
    const loc = { bucket: 'unit-src', region: 'cn-hangzhou' };
    const opts = { prefix: '', pageSize: 10, concurrency: 4 };

    // Act
    const first = await inventoryStep(deps, policy, loc, await InventoryRows.open(inventory, file), {
      ...opts,
      stopAt: 0,
    });
    const rows = await InventoryRows.open(inventory, file);
    await rows.skipTo(first.next);
    const rest = [];
    for (let done = false; !done; ) {
      const step = await inventoryStep(deps, policy, loc, rows, {
        ...opts,
        stopAt: Number.POSITIVE_INFINITY,
      });
      rest.push(step);
      done = step.done;
    }

    // Assess
    expect(first).toMatchObject({
      next: 4,
      done: false,
      checked: 0,
      counts: { objects: 4, fromInventory: 4 },
    });
    const objects = first.counts.objects + rest.reduce((n, s) => n + s.counts.objects, 0);
    const unencrypted = rest.flatMap((s) => s.findings).map((f) => f.key);
    expect(objects).toBe(30);
    expect(unencrypted).toEqual(['k/04 x%.bin', 'k/14 x%.bin', 'k/24 x%.bin']);
    expect(rest.at(-1)?.next).toBe(30);
  });
});
