/**
 * The file store in a local folder (`--local`, `reports/`). Writes go through the one atomic writer
 * (shared/safety/atomic-file.ts: temporary file, fsync, rename), so a kill or a full disk never leaves a
 * half-written file. Create-only is a hard link of a fully written temporary file: link() fails with
 * EEXIST when the target exists, an atomic create-if-absent. Temporary files end in `.tmp` and are never
 * listed.
 */
import { randomBytes } from 'node:crypto';
import { link, open, readdir, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../safety/atomic-file.js';
import type { FileBody, FileStore } from './files.js';

const isErrno = (err: unknown, code: string) => (err as NodeJS.ErrnoException)?.code === code;

export class LocalFiles implements FileStore {
  constructor(private readonly dir: string) {}

  get location(): string {
    return this.dir;
  }

  async read(path: string): Promise<string | undefined> {
    try {
      return await readFile(join(this.dir, path), 'utf8');
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async readStream(path: string): Promise<AsyncIterable<Buffer> | undefined> {
    try {
      const handle = await open(join(this.dir, path), 'r');
      // The stream closes the handle when it ends, fails or is destroyed.
      return handle.createReadStream();
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return undefined;
      throw err;
    }
  }

  async write(path: string, body: FileBody): Promise<string> {
    const full = join(this.dir, path);
    await writeFileAtomic(full, typeof body === 'string' ? body : body());
    return full;
  }

  async create(path: string, text: string): Promise<boolean> {
    const full = join(this.dir, path);
    const tmp = `${full}.${randomBytes(6).toString('hex')}.tmp`;
    await writeFileAtomic(tmp, text);
    try {
      await link(tmp, full);
      return true;
    } catch (err) {
      if (isErrno(err, 'EEXIST')) return false;
      throw err;
    } finally {
      await unlink(tmp).catch(() => undefined);
    }
  }

  async list(dir: string): Promise<string[]> {
    try {
      const entries = await readdir(join(this.dir, dir), { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() && !e.name.endsWith('.tmp'))
        .map((e) => e.name)
        .sort();
    } catch (err) {
      if (isErrno(err, 'ENOENT')) return [];
      throw err;
    }
  }
}
