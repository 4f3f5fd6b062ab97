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
import { PolicyError } from '../../shared/errors.js';
import { policyFromText } from '../../shared/policy/load.js';
import { runCli } from '../helpers/cli.js';
import { BAD_POLICIES, type BadPolicy } from './policy-corpus.js';

/** `rules[2].sse.kmsKeyId: ...`, `(top level): ...` or `line 3, column 1: ...`. */
const PROBLEM_LINE =
  /^(\(top level\)|line \d+, column \d+|[A-Za-z_][\w]*(\[\d+\])*(\.[A-Za-z_][\w]*(\[\d+\])*)*): \S.*$/;

function problemsOf(p: BadPolicy): string[] | 'accepted' | Error {
  try {
    policyFromText(p.text, `${p.name}.yaml`);
    return 'accepted';
  } catch (err) {
    return err instanceof PolicyError ? err.problems : (err as Error);
  }
}

describe('the bad-policy corpus', () => {
  it('holds at least 30 policies', () => {
    // Prepare
    const names = new Set(BAD_POLICIES.map((p) => p.name));

    // Act
    const count = names.size;

    // Assess
    expect(count).toBe(BAD_POLICIES.length);
    expect(count).toBeGreaterThanOrEqual(30);
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
    for (const line of lines) expect(line).toMatch(PROBLEM_LINE);
    for (const re of p.expect)
      expect(
        lines.some((l) => re.test(l)),
        `${re} in ${JSON.stringify(lines)}`,
      ).toBe(true);
  });
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
