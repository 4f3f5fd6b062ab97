/**
 * `npm run compile` (also run by `npm pack`/`npm publish` through `prepack`): the installed package's
 * JavaScript and type declarations, into lib/.
 *
 * - JavaScript: esbuild bundles the CLI (`lib/cli/index.js`) and the emulators (`lib/emulator/index.js`)
 *   as ES modules with code splitting, so each command's code is its own chunk, loaded only when that
 *   command runs (the emulators only for `demo`/`emulator`). A few pure-JS dependencies that Node would
 *   otherwise load as hundreds of small files (zod, yaml, commander) are inlined: that is what
 *   brings `policy validate` from ~3.5x to ~2x a bare `node -e ''`. Every other dependency stays an
 *   ordinary `import` of the installed package (the SDKs, pino and its worker-thread transports).
 * - Declarations: `tsc -p tsconfig.build.json` (emitDeclarationOnly) for the two entries and what they use.
 *
 * The checkout itself never needs lib/: bin/oss-sse-guard.js runs the sources through tsx there.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type Plugin } from 'esbuild';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
export const LIB = join(ROOT, 'lib');

/** Dependencies inlined into the bundle (load time); all others are left to Node's resolver. */
export const INLINED = ['zod', 'yaml', 'commander'];

const bareName = (spec: string) =>
  spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : (spec.split('/')[0] as string);

/** Marks every bare import external unless its package is in INLINED. */
const externalDependencies: Plugin = {
  name: 'external-dependencies',
  setup(b) {
    b.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith('node:')) return { external: true };
      return INLINED.includes(bareName(args.path)) ? undefined : { path: args.path, external: true };
    });
  },
};

export async function compile(outDir = LIB): Promise<void> {
  rmSync(outDir, { recursive: true, force: true });
  const { version } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  await build({
    absWorkingDir: ROOT,
    entryPoints: ['cli/index.ts', 'emulator/index.ts'],
    outdir: outDir,
    outbase: '.',
    chunkNames: 'chunks/[name]-[hash]',
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: false,
    legalComments: 'none',
    define: { __OSS_SSE_GUARD_VERSION__: JSON.stringify(version) },
    plugins: [externalDependencies],
    // The inlined CommonJS dependencies (commander) `require()` Node built-ins; ES modules have no
    // `require`, so each output file gets one.
    banner: {
      js: "import { createRequire as __ossSseGuardCreateRequire } from 'node:module'; const require = __ossSseGuardCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  const tsc = spawnSync(
    process.execPath,
    [
      join(ROOT, 'node_modules/typescript/bin/tsc'),
      '-p',
      join(ROOT, 'tsconfig.build.json'),
      '--outDir',
      outDir,
    ],
    { stdio: 'inherit' },
  );
  if (tsc.status !== 0) throw new Error(`tsc -p tsconfig.build.json exited ${tsc.status}`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === resolve(process.argv[1])) {
  await compile();
  console.log(`compiled ${LIB} (cli/index.js, emulator/index.js, chunks/, *.d.ts)`);
}
