/**
 * `oss-sse-guard emulator [--port N] [--seed demo|empty] [--export]`: runs the emulators until killed. The
 * first stdout line is one JSON object with the endpoints and the access key, for scripts to read.
 *
 * `--export` is for `eval "$(oss-sse-guard emulator --export)"`: a command substitution waits for its
 * command to end, so the emulators start in a detached process of their own and this one prints only
 * `export` lines (the endpoints, the demo access key, and OSS_SSE_GUARD_EMULATOR_PID to `kill` it) and exits.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { oneOf, parseFlags, wholeNumber } from './flags.js';
import { type CommandSpec, runCommand } from './run.js';

/** The first-line JSON of the emulator as the environment that points the product at it. */
export function exportLines(first: Record<string, string>, pid?: number): string {
  const env: Record<string, string | undefined> = {
    OSS_SSE_GUARD_OSS_ENDPOINT: first.oss,
    OSS_SSE_GUARD_KMS_ENDPOINT: first.kms,
    OSS_SSE_GUARD_FC_ENDPOINT: first.fc,
    ALIBABA_CLOUD_ACCESS_KEY_ID: first.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: first.accessKeySecret,
    OSS_SSE_GUARD_ACCOUNT_ID: first.accountId,
    ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
    ...(pid ? { OSS_SSE_GUARD_EMULATOR_PID: String(pid) } : {}),
  };
  return Object.entries(env)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([k, v]) => `export ${k}='${v.replace(/'/g, `'\\''`)}'\n`)
    .join('');
}

/** Starts the emulators detached and prints their environment as `export` lines. */
async function detachedExport(port: number, seed: string): Promise<number> {
  const child = spawn(
    process.execPath,
    [...process.execArgv, process.argv[1] ?? '', 'emulator', '--port', String(port), '--seed', seed],
    {
      detached: true,
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const first = await new Promise<string | undefined>((resolve) => {
    const rl = createInterface({ input: child.stdout });
    rl.once('line', (line) => {
      rl.close();
      resolve(line);
    });
    child.once('exit', () => resolve(undefined));
  });
  child.stdout.destroy();
  child.unref();
  if (!first) {
    process.stderr.write('error: the emulator process ended before it was ready\n');
    return 1;
  }
  process.stdout.write(exportLines(JSON.parse(first) as Record<string, string>, child.pid));
  process.stderr.write(
    `emulators running in process ${child.pid}; stop them with: kill $OSS_SSE_GUARD_EMULATOR_PID\n`,
  );
  return 0;
}

const emulatorFlagsSchema = z.object({
  port: wholeNumber(0, 65533).default(0),
  seed: oneOf(['demo', 'empty'] as const, (v) => `"${v}" must be demo or empty`),
});

const EMULATOR: CommandSpec = { failure: 'the emulators could not start', failedCode: 1 };

export function emulatorCommand(opts: { port?: string; seed?: string; export?: boolean }): Promise<number> {
  return runCommand(EMULATOR, () => emulators(opts));
}

async function emulators(opts: { port?: string; seed?: string; export?: boolean }): Promise<number> {
  const { port, seed } = parseFlags(emulatorFlagsSchema, opts);
  if (opts.export) return detachedExport(port, seed);
  // Loaded only here, so nothing else that imports the CLI pulls the emulator in (docs/architecture.md).
  const { startEmulators } = await import('../emulator/index.js');
  const emu = await startEmulators({ port, seed });
  process.stdout.write(
    `${JSON.stringify({
      oss: emu.oss.url,
      kms: emu.kms.url,
      fc: emu.fc.url,
      accessKeyId: emu.credentials.accessKeyId,
      accessKeySecret: emu.credentials.accessKeySecret,
      accountId: emu.accountId,
      sts: emu.sts.url,
      resourceManager: emu.resourceManager.url,
    })}\n`,
  );
  process.stderr.write(
    `emulators running (seed: ${seed}); point the product at them with:\n${Object.entries(emu.env)
      .map(([k, v]) => `  export ${k}=${v}`)
      .join('\n')}\nCtrl-C to stop.\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = () => resolve();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await emu.close();
  return 0;
}
