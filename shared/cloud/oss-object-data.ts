/**
 * Object bytes in and out, for the files the product keeps itself (policies, reports, run files):
 * GetObject as text, bounded or as a stream, and PutObject (whole or streamed, encrypted, optionally
 * create-only), through the one call core (oss-core.ts). The guard's object calls (head, tags, in-place
 * copy) are oss-objects.ts.
 */
import { Readable } from 'node:stream';
import type { SseConfig } from '../model.js';
import { requestIdOf } from './oss-client.js';
import { byDeadline, type OssCore } from './oss-core.js';

/**
 * An object body given in pieces (strings are sent as UTF-8), as a function: it is called once per
 * attempt, because a retried PutObject must send the whole body again from its start.
 */
export type ObjectChunks = () => Iterable<string | Buffer> | AsyncIterable<string | Buffer>;

/** PutObject's options. */
export interface PutObjectOptions {
  contentType?: string;
  sse?: SseConfig;
  forbidOverwrite?: boolean;
  region?: string;
  /** Epoch ms no attempt may outlive (each attempt's timeout is what is left). */
  deadline?: number;
}

export class OssObjectData {
  constructor(private readonly core: OssCore) {}

  /** An object's bytes as UTF-8 text (policies, previous reports); `undefined` when there is no such object. */
  async getObjectText(bucket: string, key: string, region?: string): Promise<string> {
    const r = region ?? (await this.core.bucketRegion(bucket));
    const subject = `Object "${key}" in bucket "${bucket}" (${r}): GetObject`;
    const result = await this.core.call(subject, () => this.core.client(r, bucket).get(key));
    return (result.content ?? Buffer.alloc(0)).toString('utf8');
  }

  /**
   * An object's first bytes, for inputs that must stay small (a policy): HeadObject's Content-Length
   * first, and only when that is within `maxBytes` a ranged GetObject (`Range: bytes=0-maxBytes`) read
   * until `maxBytes + 1` bytes at most, so an object that grew meanwhile is still never read whole.
   * `size` is the larger of the object's stated length and the bytes seen: above `maxBytes` means refused.
   */
  async getObjectBounded(
    bucket: string,
    key: string,
    maxBytes: number,
    region?: string,
  ): Promise<{ bytes: Buffer; size: number }> {
    const r = region ?? (await this.core.bucketRegion(bucket));
    const where = `Object "${key}" in bucket "${bucket}" (${r})`;
    const head = await this.core.call(`${where}: HeadObject`, () => this.core.client(r, bucket).head(key));
    const stated = Number(head.res?.headers?.['content-length']);
    if (Number.isFinite(stated) && stated > maxBytes) return { bytes: Buffer.alloc(0), size: stated };
    const result = await this.core.call(`${where}: GetObject`, () =>
      this.core.client(r, bucket).getStream(key, { headers: { Range: `bytes=0-${maxBytes}` } }),
    );
    const chunks: Buffer[] = [];
    let seen = 0;
    for await (const chunk of result.stream) {
      chunks.push(chunk);
      seen += chunk.length;
      if (seen > maxBytes) break;
    }
    result.stream.destroy?.();
    const bytes = Buffer.concat(chunks).subarray(0, maxBytes + 1);
    return { bytes, size: Math.max(bytes.length, Number.isFinite(stated) ? stated : 0) };
  }

  /**
   * An object's bytes as a stream, for objects too large to hold whole (a previous report). Retried like
   * any call until the answer starts; a failure after that ends the iteration with the error.
   */
  async getObjectStream(bucket: string, key: string, region?: string): Promise<AsyncIterable<Buffer>> {
    const r = region ?? (await this.core.bucketRegion(bucket));
    const subject = `Object "${key}" in bucket "${bucket}" (${r}): GetObject`;
    const result = await this.core.call(subject, () => this.core.client(r, bucket).getStream(key));
    return result.stream;
  }

  /**
   * Writes an object, encrypted with `sse` (reports are evidence: they are stored encrypted too). A
   * Buffer is sent whole with its Content-Length; `ObjectChunks` are streamed with chunked transfer
   * encoding (which PutObject accepts in place of Content-Length), so a large report is never held as
   * one Buffer.
   */
  async putObject(
    bucket: string,
    key: string,
    body: Buffer | ObjectChunks,
    opts: PutObjectOptions = {},
  ): Promise<{ requestId?: string }> {
    const r = opts.region ?? (await this.core.bucketRegion(bucket));
    const headers: Record<string, string> = {};
    if (opts.sse) {
      headers['x-oss-server-side-encryption'] = opts.sse.algorithm;
      if (opts.sse.kmsKeyId) headers['x-oss-server-side-encryption-key-id'] = opts.sse.kmsKeyId;
      if (opts.sse.kmsDataEncryption)
        headers['x-oss-server-side-data-encryption'] = opts.sse.kmsDataEncryption;
    }
    if (opts.forbidOverwrite) headers['x-oss-forbid-overwrite'] = 'true';
    const subject = `Object "${key}" in bucket "${bucket}" (${r}): PutObject`;
    // Options per attempt: ali-oss adds headers to the object it is given (Transfer-Encoding for streams).
    const options = (timeout: number) => ({
      timeout,
      headers: { ...headers },
      ...(opts.contentType ? { mime: opts.contentType } : {}),
    });
    const result = await this.core.call(
      subject,
      (timeout) =>
        Buffer.isBuffer(body)
          ? this.core.client(r, bucket).put(key, body, options(timeout))
          : // A fresh stream per attempt; objectMode off, so string pieces are sent as UTF-8 bytes.
            this.core
              .client(r, bucket)
              .putStream(key, Readable.from(body(), { objectMode: false }), options(timeout)),
      byDeadline(opts.deadline),
    );
    return { requestId: requestIdOf(result.res) };
  }
}
