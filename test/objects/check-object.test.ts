/**
 * `oss-sse-guard check-object` as people run it: the real binary in a child process, pointed at the
 * emulators through the environment. The spawns run in parallel (each loads TypeScript through tsx).
 */
import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';

let emu: Emulators;

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['bin/oss-sse-guard.js', 'check-object', ...args],
      { env: { ...process.env, ...emu.env, OSS_SSE_GUARD_POLICY: '', LOG_LEVEL: 'silent' }, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

beforeAll(async () => {
  emu = await startEmulators({ seed: 'empty' });
  emu.oss.state.createBucket('cli-check', 'cn-shanghai');
  emu.oss.state.putObject('cli-check', 'sealed/年报 2026.pdf', 'x', { sse: { algorithm: 'KMS' } });
  emu.oss.state.putObject('cli-check', 'open.txt', 'x');
});

afterAll(async () => {
  await emu.close();
});

describe('oss-sse-guard check-object', () => {
  it('exits 0 for an encrypted object, 1 for an unencrypted one, 2 for bad usage, 3 when it cannot check', async () => {
    // Act
    const [encrypted, plain, usage, missing] = await Promise.all([
      run(['--bucket', 'cli-check', '--key', 'sealed/年报 2026.pdf']),
      run(['--bucket', 'cli-check', '--key', 'open.txt', '--region', 'cn-shanghai']),
      run(['--bucket', 'cli-check']),
      run(['--bucket', 'cli-check', '--key', 'no/such object.txt']),
    ]);
    // Assess
    expect(encrypted).toMatchObject({ code: 0 });
    expect(encrypted.stdout).toContain('object:     oss://cli-check/sealed/年报 2026.pdf (cn-shanghai)');
    expect(encrypted.stdout).toContain('encryption: KMS');
    expect(plain).toMatchObject({ code: 1 });
    expect(plain.stdout).toContain(
      'verdict:    unencrypted: has no server-side encryption; expected at least sse-oss',
    );
    expect(usage.code).toBe(2);
    expect(usage.stderr).toContain("required option '--key <key>' not specified");
    expect(missing.code).toBe(3);
    expect(missing.stderr).toContain(
      'object "no/such object.txt" was not found in bucket "cli-check" (cn-shanghai)',
    );
  });
});
