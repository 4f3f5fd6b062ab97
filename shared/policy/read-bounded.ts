/**
 * Reading a policy's bytes without trusting the source: a local path must be a regular file (a FIFO
 * would block forever, `/dev/zero` never ends) and is read only up to the limit; the bytes must be UTF-8
 * (decoded fatally, so the report's SHA-256 is of exactly the text that was validated).
 */
import { constants } from 'node:fs';
import { type FileHandle, open, stat } from 'node:fs/promises';
import { PolicyError } from '../errors.js';

/** What `stat` says a path is, for the refusal message. */
function kindOf(info: {
  isFIFO(): boolean;
  isCharacterDevice(): boolean;
  isBlockDevice(): boolean;
  isDirectory(): boolean;
  isSocket(): boolean;
}): string {
  if (info.isFIFO()) return 'a FIFO (named pipe)';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  if (info.isDirectory()) return 'a directory';
  if (info.isSocket()) return 'a socket';
  return 'not a regular file';
}

const tooLarge = (path: string, size: number | string, max: number) =>
  new PolicyError(path, [`(top level): file is ${size} bytes; the limit is ${max}`]);

/**
 * A regular file's bytes, at most `maxBytes`: refused before opening when the path is anything else
 * (checked again on the open descriptor, opened non-blocking so a FIFO swapped in cannot hang the open),
 * and refused when more than `maxBytes` bytes are there, whatever `stat` said.
 */
export async function readPolicyFileBytes(path: string, maxBytes: number): Promise<Buffer> {
  const cannotRead = (err: unknown) =>
    new PolicyError(
      path,
      [`(file): cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`],
      {
        cause: err,
      },
    );
  let handle: FileHandle;
  try {
    const info = await stat(path);
    if (!info.isFile())
      throw new PolicyError(path, [`(file): is ${kindOf(info)}; a policy must be a regular file`]);
    if (info.size > maxBytes) throw tooLarge(path, info.size, maxBytes);
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    throw cannotRead(err);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile())
      throw new PolicyError(path, [`(file): is ${kindOf(info)}; a policy must be a regular file`]);
    const buf = Buffer.alloc(maxBytes + 1);
    let filled = 0;
    while (filled < buf.length) {
      const { bytesRead } = await handle.read(buf, filled, buf.length - filled, filled);
      if (bytesRead === 0) break;
      filled += bytesRead;
    }
    if (filled > maxBytes) throw tooLarge(path, `more than ${maxBytes}`, maxBytes);
    return buf.subarray(0, filled);
  } catch (err) {
    if (err instanceof PolicyError) throw err;
    throw cannotRead(err);
  } finally {
    await handle.close();
  }
}

/** The bytes as text, refusing invalid UTF-8 with the offset of the first bad byte. */
export function decodeUtf8(bytes: Uint8Array, source: string): string {
  try {
    // ignoreBOM: a byte-order mark stays in the text, so the text is exactly the bytes.
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch (err) {
    const offset = firstInvalidUtf8(bytes);
    throw new PolicyError(source, [`(top level): is not valid UTF-8 (first bad byte at offset ${offset})`], {
      cause: err,
    });
  }
}

/**
 * The offset of the first byte of the first ill-formed sequence: a streaming decode, one call a byte (the
 * error path only); a lead byte whose sequence is cut short is the one reported.
 */
function firstInvalidUtf8(bytes: Uint8Array): number {
  const decoder = new TextDecoder('utf-8', { fatal: true });
  let pending: number | undefined;
  for (let i = 0; i < bytes.length; i++) {
    try {
      const out = decoder.decode(bytes.subarray(i, i + 1), { stream: true });
      pending = out === '' ? (pending ?? i) : undefined;
    } catch {
      return pending ?? i;
    }
  }
  return pending ?? bytes.length;
}
