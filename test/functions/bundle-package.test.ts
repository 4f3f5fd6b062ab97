/**
 * The bundles `npm run build` writes load anywhere: from inside this repository (whose package.json says
 * `"type": "module"`) `require()` of each dist/<function>/index.js gives its `handler`, because each
 * folder carries its own `"type": "commonjs"` package.json; and each dist/<function>.zip (what `s deploy`
 * uploads) unpacks to the same bytes as the folder, with the SHA-256 recorded in SHA256SUMS.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BuiltFunction, buildFunctions } from '../../scripts/build.js';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
let outDir: string;
let built: BuiltFunction[];

beforeAll(async () => {
  // Inside the checkout, under its "type": "module" package.json: where the issue saw `handler` missing.
  outDir = await mkdtemp(join(ROOT, 'dist-test-'));
  built = await buildFunctions(outDir);
}, 120_000);
afterAll(async () => {
  await rm(outDir, { recursive: true, force: true });
});

function unzip(zip: string, into: string): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile('unzip', ['-q', '-o', zip, '-d', into], (err) => (err ? reject(err) : resolve()));
  });
}

describe('function bundles', () => {
  it('give their handler to require() from inside the ESM checkout', () => {
    // Prepare
    const require = createRequire(join(ROOT, 'package.json'));

    // Act
    const handlers = built.map((b) => [b.name, typeof (require(b.outfile) as { handler?: unknown }).handler]);

    // Assess
    expect(built.length).toBeGreaterThanOrEqual(4);
    expect(handlers).toEqual(built.map((b) => [b.name, 'function']));
    for (const b of built) {
      expect(JSON.parse(readFileSync(join(outDir, b.name, 'package.json'), 'utf8'))).toMatchObject({
        type: 'commonjs',
      });
    }
  });

  it('keep iconv-lite out of the cold start, in a side file that still decodes GBK', () => {
    // Prepare
    const require = createRequire(join(ROOT, 'package.json'));
    const gbk = Buffer.from([0xc4, 0xe3, 0xba, 0xc3]); // "你好" in GBK

    for (const b of built) {
      // Act
      const inBundle = Object.keys(b.metafile.inputs).filter((p) => p.includes('node_modules/iconv-lite/'));
      const side = require(join(outDir, b.name, 'iconv-lite.js')) as {
        decode(buf: Buffer, enc: string): string;
      };

      // Assess
      expect(inBundle).toEqual([]);
      expect(readFileSync(b.outfile, 'utf8')).toContain('require("./iconv-lite.js")');
      expect(side.decode(gbk, 'gbk')).toBe('你好');
    }
  });

  it('zip to the same bytes as their folder, with the SHA-256 in SHA256SUMS', async () => {
    // Prepare
    const sums = readFileSync(join(outDir, 'SHA256SUMS'), 'utf8');
    const scratch = await mkdtemp(join(tmpdir(), 'unzipped-'));

    try {
      for (const b of built) {
        // Act
        const into = join(scratch, b.name);
        await unzip(b.zip.path, into);

        // Assess
        const folder = join(outDir, b.name);
        expect(readdirSync(into).sort()).toEqual(readdirSync(folder).sort());
        for (const f of readdirSync(folder)) {
          expect(readFileSync(join(into, f)).equals(readFileSync(join(folder, f)))).toBe(true);
        }
        const sha = createHash('sha256').update(readFileSync(b.zip.path)).digest('hex');
        expect(sha).toBe(b.zip.sha256);
        expect(sums).toContain(`${sha}  ${b.name}.zip\n`);
      }
    } finally {
      await rm(scratch, { recursive: true, force: true });
    }
  });
});
