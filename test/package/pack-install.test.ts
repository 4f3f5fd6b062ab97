/**
 * The package as a user gets it: `npm pack` (its `prepack` compiles lib/), then `npm install <tarball>`
 * into an empty temporary folder, then the installed `oss-sse-guard` run from there: `--version`,
 * `--help`, `policy validate` and `demo` (the emulators are inside the package, loaded lazily). Bounded:
 * one pack and one install for the whole file, dependencies from the npm cache (`--prefer-offline`).
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type InstalledPackage, packAndInstall } from '../../scripts/pack-install.js';
import type { CliResult } from '../helpers/cli.js';

let pkg: InstalledPackage;
const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

beforeAll(async () => {
  pkg = await packAndInstall(100_000);
}, 110_000);
afterAll(async () => {
  await pkg?.dispose();
});

function runInstalled(args: string[], cwd: string): Promise<CliResult> {
  return new Promise((resolve) => {
    // The `.bin` link is run as a user's shell runs it (its shebang), outside the repository.
    execFile(
      pkg.bin,
      args,
      { cwd, timeout: 60_000, env: { PATH: process.env.PATH ?? '', HOME: cwd } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

function tarList(tarball: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    execFile('tar', ['tzf', tarball], (err, stdout) =>
      err ? reject(err) : resolve(stdout.split('\n').filter(Boolean)),
    );
  });
}

describe('the installed package', () => {
  it('ships only what runs: compiled JavaScript and declarations, no TypeScript sources, no tests', async () => {
    // Act
    const files = await tarList(pkg.tarball);

    // Assess
    expect(files).toContain('package/lib/cli/index.js');
    expect(files).toContain('package/lib/cli/index.d.ts');
    expect(files).toContain('package/lib/emulator/index.js');
    expect(files).toContain('package/bin/oss-sse-guard.js');
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(
      files.filter((f) => /^package\/(test|bench|scripts|functions|shared|cli|emulator)\//.test(f)),
    ).toEqual([]);
    expect(existsSync(join(pkg.packageDir, '..', 'tsx'))).toBe(false);
  });

  it('prints its version and its help', async () => {
    // Act
    const v = await runInstalled(['--version'], pkg.dir);
    const help = await runInstalled(['--help'], pkg.dir);

    // Assess
    expect(v).toMatchObject({ code: 0, stdout: `${version}\n` });
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/policy/);
    expect(help.stdout).toMatch(/doctor/);
  });

  it('validates a policy: exit 0 for the shipped example, 2 with the path of the bad field', async () => {
    // Prepare
    const bad = join(pkg.dir, 'bad.yaml');
    await writeFile(bad, 'version: 1\ndefaults:\n  sse: { algorithm: ROT13 }\n');

    // Act
    const good = await runInstalled(
      ['policy', 'validate', join(pkg.packageDir, 'examples', 'policy.yaml')],
      pkg.dir,
    );
    const wrong = await runInstalled(['policy', 'validate', bad], pkg.dir);

    // Assess
    expect(good.code).toBe(0);
    expect(good.stdout).toMatch(/valid \(version 1/);
    expect(wrong.code).toBe(2);
    expect(wrong.stderr).toMatch(/defaults\.sse/);
  });

  it('runs the demo against the emulators it carries and writes the reports', async () => {
    // Prepare
    const cwd = await mkdtemp(join(pkg.dir, 'demo-'));

    // Act
    const demo = await runInstalled(['demo'], cwd);

    // Assess
    expect(demo.stderr).toBe('');
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/every status shown as designed/);
    expect((await readdir(join(cwd, 'reports'))).some((f) => f.endsWith('.html'))).toBe(true);
  }, 60_000);
});
