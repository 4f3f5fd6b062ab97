/**
 * Local files written whole or not at all: the content goes to a temporary file next to the target, is
 * flushed to disk (fsync), then renamed over the target, and the folder is flushed so the rename itself
 * survives a crash. A kill or a full disk mid-write leaves the previous file (e.g. `latest.json`, the
 * drift baseline) as it was, never an empty or half-written one.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** Text given whole or in pieces (each written as UTF-8, in order). */
export type FileContent = string | Buffer | Iterable<string | Buffer> | AsyncIterable<string | Buffer>;

async function* pieces(content: FileContent): AsyncGenerator<string | Buffer> {
  if (typeof content === 'string' || Buffer.isBuffer(content)) yield content;
  else yield* content;
}

/** Flushes a folder's entry table (the rename); some platforms refuse to open a folder: then skip. */
async function syncDir(dir: string): Promise<void> {
  const handle = await open(dir, 'r').catch(() => undefined);
  if (!handle) return;
  try {
    await handle.sync().catch(() => undefined);
  } finally {
    await handle.close();
  }
}

/** Writes `content` to `path` atomically (temporary file, fsync, rename, fsync of the folder). */
export async function writeFileAtomic(path: string, content: FileContent): Promise<void> {
  const dir = dirname(path);
  await mkdir(dir, { recursive: true });
  const tmp = join(dir, `.${basename(path)}.${randomBytes(6).toString('hex')}.tmp`);
  const handle = await open(tmp, 'wx');
  try {
    for await (const piece of pieces(content)) {
      const buf = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : piece;
      // write() may write less than asked (a full pipe, a signal): loop until the whole piece is out.
      for (let off = 0; off < buf.length; ) {
        off += (await handle.write(buf, off, buf.length - off)).bytesWritten;
      }
    }
    await handle.sync();
  } catch (err) {
    await handle.close().catch(() => undefined);
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await handle.close();
  try {
    await rename(tmp, path);
  } catch (err) {
    await unlink(tmp).catch(() => undefined);
    throw err;
  }
  await syncDir(dir);
}
