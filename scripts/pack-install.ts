/**
 * Packs this repository as `npm pack` does (its `prepack` compiles lib/) and installs the tarball into an
 * empty folder as a user would (`npm install <tarball>`, dependencies from the npm cache or registry), so
 * the tests and the bench run the CLI exactly as installed. Used by test/package/ and bench/cases/load-time.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

export interface InstalledPackage {
  /** The temporary folder holding the tarball and the install; remove it with `dispose`. */
  dir: string;
  tarball: string;
  /** `<dir>/app/node_modules/.bin/oss-sse-guard`. */
  bin: string;
  /** The installed package's folder. */
  packageDir: string;
  dispose(): Promise<void>;
}

function run(cmd: string, args: string[], cwd: string, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      cmd,
      args,
      // Offline-capable and quiet: the cache first, no audit or funding requests.
      {
        cwd,
        timeout: timeoutMs,
        maxBuffer: 16 * 1024 * 1024,
        env: { ...process.env, npm_config_update_notifier: 'false' },
      },
      (err, stdout, stderr) => {
        if (err) reject(new Error(`${cmd} ${args.join(' ')} failed in ${cwd}: ${err.message}\n${stderr}`));
        else resolve(stdout);
      },
    );
  });
}

/** `npm pack` this checkout, then `npm install` the tarball into an empty `app/` folder. */
export async function packAndInstall(timeoutMs = 90_000): Promise<InstalledPackage> {
  const dir = await mkdtemp(join(tmpdir(), 'oss-sse-guard-pack-'));
  const dispose = () => rm(dir, { recursive: true, force: true });
  try {
    await run(NPM, ['pack', '--pack-destination', dir, '--silent'], ROOT, timeoutMs);
    const tarball = join(dir, (await readdir(dir)).find((f) => f.endsWith('.tgz')) ?? 'missing.tgz');
    const app = join(dir, 'app');
    await mkdir(app);
    await writeFile(join(app, 'package.json'), '{"name":"empty-app","private":true}\n');
    await run(
      NPM,
      [
        'install',
        tarball,
        '--prefer-offline',
        '--no-audit',
        '--no-fund',
        '--ignore-scripts',
        '--loglevel=error',
      ],
      app,
      timeoutMs,
    );
    return {
      dir,
      tarball,
      bin: join(app, 'node_modules', '.bin', 'oss-sse-guard'),
      packageDir: join(app, 'node_modules', 'oss-sse-guard'),
      dispose,
    };
  } catch (err) {
    await dispose();
    throw err;
  }
}
