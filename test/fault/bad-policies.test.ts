/**
 * Bad inputs: a corpus of malformed and hostile policies. Each is refused with one problem line per
 * problem, naming its path in the file (or the line and column of a YAML syntax error); given to the CLI,
 * nothing is called and nothing is changed.
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { auditJob } from '../../shared/audit/job.js';
import { settingsFromEnv } from '../../shared/config.js';
import { PolicyError } from '../../shared/errors.js';
import { policyFromText } from '../../shared/policy/load.js';
import { hasControl } from '../../shared/safe-text.js';
import { runCli } from '../helpers/cli.js';
import { startWorld, type World } from '../helpers/world.js';
import { HOSTILE_POLICIES } from './hostile-policy-corpus.js';
import { type BadPolicy, BAD_POLICIES as MALFORMED } from './policy-corpus.js';

/** The malformed policies and the hostile ones (issue 14). */
const BAD_POLICIES: BadPolicy[] = [...MALFORMED, ...HOSTILE_POLICIES];

/**
 * `rules[2].sse.kmsKeyId: ...`, `tags["odd key"]: ...`, `(top level): ...`, `(file): ...` or
 * `line 3, column 1: ...`.
 */
const SEGMENT = String.raw`(\[\d+\]|\["(?:[^"\\]|\\.)*"\]|\.[A-Za-z0-9_$-]+)`;
const PROBLEM_LINE = new RegExp(
  String.raw`^(\(top level\)|\(file\)|line \d+, column \d+|([A-Za-z0-9_$-]+|\["(?:[^"\\]|\\.)*"\])${SEGMENT}*)(:| \(| ).*\S.*$`,
);

function problemsOf(p: BadPolicy): string[] | 'accepted' | Error {
  try {
    policyFromText(p.text, `${p.name}.yaml`);
    return 'accepted';
  } catch (err) {
    return err instanceof PolicyError ? err.problems : (err as Error);
  }
}

describe('the bad-policy corpus', () => {
  it('holds at least 100 policies', () => {
    // Prepare
    const names = new Set(BAD_POLICIES.map((p) => p.name));

    // Act
    const count = names.size;

    // Assess
    expect(count).toBe(BAD_POLICIES.length);
    expect(count).toBeGreaterThanOrEqual(100);
  });

  it.each(BAD_POLICIES.map((p) => [p.name, p] as const))('refuses %s, naming the problem', (_name, p) => {
    // Prepare
    const text = p.text;

    // Act
    const problems = problemsOf({ ...p, text });

    // Assess
    expect(problems).toBeInstanceOf(Array);
    const lines = problems as string[];
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      expect(line).toMatch(PROBLEM_LINE);
      // One printable line each: nothing in the policy can start a line of its own or drive a terminal.
      expect(hasControl(line), JSON.stringify(line)).toBe(false);
    }
    for (const re of p.expect)
      expect(
        lines.some((l) => re.test(l)),
        `${re} in ${JSON.stringify(lines)}`,
      ).toBe(true);
  });
});

describe('the audit job given each bad policy', () => {
  let world: World;
  let dir: string;

  beforeAll(async () => {
    world = await startWorld();
    dir = await mkdtemp(join(tmpdir(), 'sse-guard-hostile-policy-'));
    world.emu.oss.state.createBucket('untagged-bucket', 'cn-hangzhou');
  });
  afterAll(async () => {
    await world?.close();
  });

  it('refuses every one of them before the first cloud call, changing nothing', async () => {
    // Prepare
    const settings = { ...settingsFromEnv(world.emu.env), dryRun: false, reportLocation: undefined };
    const files = await Promise.all(
      BAD_POLICIES.map(async (p, i) => {
        const file = join(dir, `p-${i}.yaml`);
        await writeFile(file, p.text);
        return file;
      }),
    );

    // Act
    const outcomes = [];
    for (const file of files) {
      outcomes.push(
        await auditJob(world.runtime, { settings: { ...settings, policyRef: file } }).catch(
          (e: unknown) => e,
        ),
      );
    }

    // Assess
    outcomes.forEach((o, i) => {
      expect(o, BAD_POLICIES[i]?.name).toBeInstanceOf(PolicyError);
    });
    for (const op of [
      'ListBuckets',
      'GetBucketEncryption',
      'PutBucketEncryption',
      'GetObject',
      'HeadObject',
    ]) {
      expect(world.emu.oss.faults.count(op), op).toBe(0);
    }
    expect(world.emu.oss.state.getBucket('untagged-bucket')?.encryption).toBeNull();
  }, 120_000);
});

describe('the CLI given a bad policy', () => {
  let emu: Emulators;
  let dir: string;

  beforeAll(async () => {
    emu = await startEmulators({ seed: 'empty' });
    dir = await mkdtemp(join(tmpdir(), 'sse-guard-bad-policy-'));
    emu.oss.state.createBucket('plain-bucket', 'cn-hangzhou');
    emu.oss.state.createBucket('other-bucket', 'cn-shanghai', { encryption: { algorithm: 'AES256' } });
  });
  afterAll(async () => {
    await emu?.close();
  });

  const picked = [
    'KMS key id with AES256',
    'YAML alias bomb',
    'file over 1 MiB',
    'duplicate rule ids',
    'unknown top-level key',
  ];

  it('exits 2 naming the problem, calls nothing and changes nothing, for each of a sample', async () => {
    // Prepare
    const cases = picked.map((name) => {
      const p = BAD_POLICIES.find((b) => b.name === name);
      if (!p) throw new Error(`no corpus entry "${name}"`);
      return p;
    });
    const files = await Promise.all(
      cases.map(async (p, i) => {
        const file = join(dir, `bad-${i}.yaml`);
        await writeFile(file, p.text);
        return file;
      }),
    );

    // Act
    const results = await Promise.all(
      files.map((f) => runCli(['audit', '--remediate', '--policy', f], emu.env)),
    );

    // Assess
    results.forEach((r, i) => {
      expect(r.code, `${cases[i]?.name}: ${r.stderr}`).toBe(2);
      for (const re of cases[i]?.expect ?? []) {
        expect(
          r.stderr.split('\n').some((l) => re.test(l.replace(/^.*? is invalid: /, ''))),
          `${re} in ${r.stderr}`,
        ).toBe(true);
      }
      expect(r.stdout).toBe('');
    });
    expect(emu.oss.faults.count('PutBucketEncryption')).toBe(0);
    expect(emu.oss.faults.count('ListBuckets')).toBe(0);
    expect(emu.oss.state.getBucket('plain-bucket')?.encryption).toBeNull();
    expect(emu.oss.state.getBucket('other-bucket')?.encryption).toMatchObject({ algorithm: 'AES256' });
  });
});
