/**
 * NOT ADOPTED (hand-written signing; see direct-gateway.ts). Proposal B's reader: GetBucketEncryption as
 * one signed HTTP GET over a keep-alive agent of its own, the answer read by a small element scanner. Per
 * request it skips what ali-oss does around the same GET: urllib, x-oss-date through dateformat, header
 * encoding and copying, proxy detection, and the XML parse. Same signatures (V1 and V4, STS token).
 * Failures are thrown in ali-oss's error shape (`name`, `code`, `status`, `requestId`; status -1/-2 for
 * network and timeouts), so the gateway's `call` turns them into `CloudError`s and retries them as usual.
 */
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import type { Credentials } from '../../shared/cloud/credentials.js';
import { type BucketLocation, parseEncryption } from '../../shared/cloud/oss.js';
import type { SseConfig } from '../../shared/model.js';
import { signedSubresourceGet } from './oss-sign.js';

/** Encryption answers are a few hundred bytes; anything far larger is not one. */
const MAX_ANSWER_BYTES = 64 * 1024;

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };

function unescapeXml(s: string): string {
  return s.replace(/&(#x[0-9a-f]+|#\d+|amp|lt|gt|quot|apos);/gi, (_m, e: string) => {
    if (e[0] !== '#') return ENTITIES[e.toLowerCase()] ?? '';
    const hex = e[1] === 'x' || e[1] === 'X';
    return String.fromCodePoint(hex ? Number.parseInt(e.slice(2), 16) : Number(e.slice(1)));
  });
}

/** The text of the first `<name>` element: enough for the flat, small answers read here. */
export function elementText(xml: string, name: string): string | undefined {
  const open = xml.indexOf(`<${name}>`);
  if (open < 0) return undefined;
  const start = open + name.length + 2;
  const end = xml.indexOf(`</${name}>`, start);
  return end < 0 ? undefined : unescapeXml(xml.slice(start, end));
}

/** An error in the shape ali-oss throws, so `toCloudError` normalises it like any SDK error. */
function sdkError(
  name: string,
  fields: { status: number; code: string; message?: string; requestId?: string; ecCode?: string },
): Error {
  return Object.assign(new Error(fields.message ?? name), { name, ...fields });
}

export interface DirectReaderOptions {
  credentials: Credentials;
  endpoint?: string;
  authorizationV4?: boolean;
  timeoutMs?: number;
}

export class DirectEncryptionReader {
  private readonly agent: http.Agent;
  private readonly base: URL | undefined;
  private readonly opts: DirectReaderOptions;

  constructor(opts: DirectReaderOptions) {
    this.opts = opts;
    this.base = opts.endpoint ? new URL(opts.endpoint) : undefined;
    const secure = this.base ? this.base.protocol === 'https:' : true;
    this.agent = secure ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  }

  /** The bucket's default encryption; `null` for 404 NoSuchServerSideEncryptionRule. Throws SDK-shaped errors. */
  async read(b: BucketLocation): Promise<SseConfig | null> {
    const answer = await this.get(b);
    if (answer.status === 200) {
      return parseEncryption({
        SSEAlgorithm: elementText(answer.body, 'SSEAlgorithm'),
        KMSMasterKeyID: elementText(answer.body, 'KMSMasterKeyID'),
        KMSDataEncryption: elementText(answer.body, 'KMSDataEncryption'),
      });
    }
    const code = elementText(answer.body, 'Code') ?? `Http${answer.status}`;
    if (answer.status === 404 && code === 'NoSuchServerSideEncryptionRule') return null;
    throw sdkError(`${code}Error`, {
      code,
      status: answer.status,
      message: elementText(answer.body, 'Message') ?? `status ${answer.status}`,
      requestId: elementText(answer.body, 'RequestId') ?? answer.requestId,
      ecCode: elementText(answer.body, 'EC'),
    });
  }

  /** Where `GET /?encryption` goes, addressed as ali-oss does (an IP endpoint gets the `Host` rewritten). */
  private target(b: BucketLocation): { host: string; port: string; hostHeader: string } {
    const regional = `oss-${b.region}.aliyuncs.com`;
    if (!this.base)
      return { host: `${b.name}.${regional}`, port: '443', hostHeader: `${b.name}.${regional}` };
    const ip = isIP(this.base.hostname) !== 0;
    return {
      host: ip ? this.base.hostname : `${b.name}.${this.base.hostname}`,
      port: this.base.port,
      hostHeader: ip ? `${b.name}.${regional}` : `${b.name}.${this.base.host}`,
    };
  }

  private get(b: BucketLocation): Promise<{ status: number; body: string; requestId?: string }> {
    const { host, port, hostHeader } = this.target(b);
    const signed = signedSubresourceGet(
      this.opts.credentials,
      b.name,
      'encryption',
      b.region,
      this.opts.authorizationV4 ?? false,
    );
    const send = this.agent instanceof https.Agent ? https.request : http.request;
    return new Promise((resolve, reject) => {
      const req = send(
        {
          agent: this.agent,
          host,
          port,
          method: 'GET',
          path: '/?encryption',
          headers: { ...signed, host: hostHeader },
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (c: Buffer) => {
            size += c.length;
            if (size <= MAX_ANSWER_BYTES) chunks.push(c);
            else req.destroy(sdkError('ResponseError', { status: -1, code: 'ResponseTooLarge' }));
          });
          res.on('end', () => {
            const id = res.headers['x-oss-request-id'];
            resolve({
              status: res.statusCode ?? 0,
              body: Buffer.concat(chunks).toString('utf8'),
              ...(typeof id === 'string' ? { requestId: id } : {}),
            });
          });
          res.on('error', (err) =>
            reject(sdkError('ResponseError', { status: -1, code: 'ResponseError', message: err.message })),
          );
        },
      );
      req.setTimeout(this.opts.timeoutMs ?? 30_000, () =>
        req.destroy(
          sdkError('ResponseTimeoutError', {
            status: -2,
            code: 'ResponseTimeoutError',
            message: 'Response timeout',
          }),
        ),
      );
      req.on('error', (err: Error & { status?: number; code?: string }) =>
        reject(
          err.status !== undefined
            ? err
            : sdkError('RequestError', {
                status: -1,
                code: err.code ?? 'RequestError',
                message: err.message,
              }),
        ),
      );
      req.end();
    });
  }
}
