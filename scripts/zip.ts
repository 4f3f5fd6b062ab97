/**
 * Zips a function's code folder (what `s deploy` uploads) with yazl: files in name order, a fixed
 * timestamp and mode, so the same bundle always gives the same bytes and the same SHA-256.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { ZipFile } from 'yazl';

export interface FunctionZip {
  path: string;
  bytes: number;
  sha256: string;
  /** The file names inside, relative to the folder. */
  entries: string[];
}

/** 1980-01-01, the earliest date a zip entry can carry: no build time leaks into the bytes. */
const FIXED_MTIME = new Date(1980, 0, 1);

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir)
    .sort()
    .flatMap((name) => {
      const rel = prefix ? `${prefix}/${name}` : name;
      return statSync(join(dir, name)).isDirectory() ? filesUnder(join(dir, name), rel) : [rel];
    });
}

export async function zipFolder(folder: string, outfile: string): Promise<FunctionZip> {
  const zip = new ZipFile();
  const entries = filesUnder(folder);
  for (const rel of entries) {
    zip.addBuffer(readFileSync(join(folder, rel)), rel, { mtime: FIXED_MTIME, mode: 0o100644 });
  }
  zip.end();
  await pipeline(zip.outputStream, createWriteStream(outfile));
  const bytes = readFileSync(outfile);
  return {
    path: outfile,
    bytes: bytes.length,
    sha256: createHash('sha256').update(bytes).digest('hex'),
    entries,
  };
}
