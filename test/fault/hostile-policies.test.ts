/**
 * Hostile policies against the real audit, loader and CLI (issue 14), with the emulators and ali-oss:
 * prototype-named tag selectors never widen a rule to every bucket; a policy is read no further than
 * 1 MiB whatever the source (`/dev/zero`, a FIFO, a 3 MiB OSS object: HeadObject first, no GetObject);
 * the bytes must be UTF-8 and the report's SHA-256 is of exactly those bytes; an `oss://` source is named
 * whole in the CLI's problem lines.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditJob } from '../../shared/audit/job.js';
import { settingsFromEnv } from '../../shared/config.js';
import { PolicyError } from '../../shared/errors.js';
import { loadPolicy, loadPolicyFile, MAX_POLICY_BYTES, policyFromText } from '../../shared/policy/load.js';
import { runCli } from '../helpers/cli.js';
import { startWorld, type World } from '../helpers/world.js';

let world: World;
let dir: string;

beforeAll(async () => {
  world = await startWorld();
  dir = await mkdtemp(join(tmpdir(), 'sse-guard-hostile-'));
  world.emu.oss.state.createBucket('policies', 'cn-hangzhou');
});
afterAll(async () => {
  await world.close();
});

const problemsOf = (err: unknown) => (err instanceof PolicyError ? err.problems : [String(err)]);
const readOss = (b: string, k: string, max: number) => world.runtime.oss.getObjectBounded(b, k, max);

describe('hostile policies', () => {
  it('switches only the bucket tagged constructor: quarantine, never the 10 untagged ones', async () => {
    // Prepare
    const { state } = world.emu.oss;
    for (let i = 0; i < 10; i += 1) state.createBucket(`plain-${i}`, 'cn-shanghai');
    state.createBucket('quarantined', 'cn-shanghai', { tags: { constructor: 'quarantine' } });
    const file = join(dir, 'constructor.yaml');
    await writeFile(
      file,
      'version: 1\nrules:\n  - { id: q, tags: { constructor: quarantine }, sse: { algorithm: KMS }, remediate: true }\n',
    );
    const settings = {
      ...settingsFromEnv(world.emu.env),
      policyRef: file,
      dryRun: false,
      reportLocation: undefined,
    };

    // Act
    const { report } = await auditJob(world.runtime, { settings, regions: ['cn-shanghai'] });

    // Assess
    const byBucket = new Map(report.findings.map((f) => [f.bucket, f]));
    expect(byBucket.get('quarantined')).toMatchObject({ ruleId: 'q', status: 'remediated' });
    for (let i = 0; i < 10; i += 1) {
      expect(byBucket.get(`plain-${i}`)?.ruleId).toBe('defaults');
      expect(state.getBucket(`plain-${i}`)?.encryption).toBeNull();
    }
    expect(world.emu.oss.faults.count('PutBucketEncryption')).toBe(1);
  });

  it('refuses a tag selector __proto__: quarantine instead of reading it as "no tags"', async () => {
    // Prepare
    const file = join(dir, 'proto.yaml');
    await writeFile(
      file,
      'version: 1\nrules:\n  - { id: q, tags: { __proto__: quarantine }, sse: { algorithm: KMS } }\n',
    );

    // Act
    const err = await loadPolicyFile(file).catch((e: unknown) => e);

    // Assess
    expect(problemsOf(err)).toEqual([
      'rules[0].tags.__proto__: is a reserved name and cannot be used as a key',
    ]);
  });

  it('refuses /dev/zero and a FIFO as a policy without reading from them', async () => {
    // Prepare
    const fifo = join(dir, 'policy.fifo');
    execFileSync('mkfifo', [fifo]);

    // Act: neither has a writer or an end; a read would never return.
    const zero = await loadPolicyFile('/dev/zero').catch((e: unknown) => e);
    const pipe = await loadPolicyFile(fifo).catch((e: unknown) => e);

    // Assess
    expect(problemsOf(zero)).toEqual(['(file): is a character device; a policy must be a regular file']);
    expect(problemsOf(pipe)).toEqual(['(file): is a FIFO (named pipe); a policy must be a regular file']);
  });

  it('refuses a 3 MiB oss:// policy on HeadObject alone, and reads a small one with one ranged GetObject', async () => {
    // Prepare
    const { state, faults } = world.emu.oss;
    state.putObject('policies', 'huge.yaml', `version: 1\n#${'x'.repeat(3 * 1024 * 1024)}\n`);
    state.putObject('policies', 'small.yaml', 'version: 1\ndescription: from OSS\n');
    const gets = faults.count('GetObject');

    // Act
    const huge = await loadPolicy('oss://policies/huge.yaml', readOss).catch((e: unknown) => e);
    const getsAfterHuge = faults.count('GetObject');
    const small = await loadPolicy('oss://policies/small.yaml', readOss);

    // Assess
    expect(problemsOf(huge)).toEqual([
      `(top level): object is ${3 * 1024 * 1024 + 13} bytes; the limit is ${MAX_POLICY_BYTES}`,
    ]);
    expect(getsAfterHuge).toBe(gets);
    expect(small.policy.description).toBe('from OSS');
    expect(faults.count('GetObject')).toBe(gets + 1);
  });

  it('refuses invalid UTF-8, and hashes exactly the bytes of a valid file (BOM and all)', async () => {
    // Prepare
    const bad = join(dir, 'latin1.yaml');
    await writeFile(
      bad,
      Buffer.concat([Buffer.from('version: 1\ndescription: caf'), Buffer.from([0xe9]), Buffer.from('\n')]),
    );
    const good = join(dir, 'bom.yaml');
    const bytes = Buffer.concat([
      Buffer.from([0xef, 0xbb, 0xbf]),
      Buffer.from('version: 1\ndescription: café ☕\n'),
    ]);
    await writeFile(good, bytes);

    // Act
    const refused = await loadPolicyFile(bad).catch((e: unknown) => e);
    const loaded = await loadPolicyFile(good);

    // Assess
    expect(problemsOf(refused)).toEqual(['(top level): is not valid UTF-8 (first bad byte at offset 27)']);
    expect(loaded.sha256).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(loaded.policy.description).toBe('café ☕');
  });

  it('accepts real days (a leap day, an offset time) and refuses 2027-02-31 instead of rolling it to March 3', () => {
    // Prepare
    const until = (d: string) => `version: 1\nrules:\n  - { id: a, exempt: { reason: r, until: "${d}" } }\n`;

    // Act
    const leap = policyFromText(until('2028-02-29'), 'leap.yaml');
    const offset = policyFromText(until('2027-03-31T23:59:59+08:00'), 'offset.yaml');
    const rolled = (() => {
      try {
        policyFromText(until('2027-02-31'), 'rolled.yaml');
        return 'accepted';
      } catch (err) {
        return problemsOf(err);
      }
    })();

    // Assess
    expect(leap.policy.rules[0]?.exempt?.until).toBe('2028-02-29');
    expect(offset.policy.rules[0]?.exempt?.until).toBe('2027-03-31T23:59:59+08:00');
    expect(rolled).toEqual([
      'rules[0].exempt.until: must be a date YYYY-MM-DD or an ISO 8601 time (a real day), got "2027-02-31"',
    ]);
  });

  it('names an oss:// policy source whole in the CLI problem lines', async () => {
    // Prepare
    world.emu.oss.state.putObject('policies', 'team/bad.yaml', 'version: 1\nrulez: []\n');

    // Act
    const res = await runCli(['audit', '--policy', 'oss://policies/team/bad.yaml'], world.emu.env);

    // Assess
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Policy oss://policies/team/bad.yaml is invalid: rulez: unknown key');
    expect(res.stdout).toBe('');
  }, 180_000);
});
