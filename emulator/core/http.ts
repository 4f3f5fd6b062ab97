/**
 * Small HTTP plumbing shared by the emulators: listening on loopback, request ids, reading bodies, and
 * applying a fault decision around a handler.
 */
import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultDecision } from './faults.js';

export interface RunningServer {
  server: http.Server;
  port: number;
  /** `http://127.0.0.1:PORT` */
  url: string;
  close(): Promise<void>;
}

export interface ListenOptions {
  /**
   * Accept a request that carries both `Content-Length` and `Transfer-Encoding: chunked` (the chunked
   * framing wins, RFC 9112 section 6.3). Node's strict parser answers such a request 400, but ali-oss
   * sends both for streams (`put(name, stream, { headers: { 'Content-Length' } })`, ali-oss
   * test/node/object.test.js "should add object with readstream") and OSS accepts it. Node offers this
   * only as `insecureHTTPParser`, which also relaxes other header checks: acceptable for a loopback-only
   * emulator, never for a real server.
   */
  lenientFraming?: boolean;
}

/** Starts `handler` on 127.0.0.1 (loopback only). Port 0 picks a free port. */
export async function listen(
  handler: http.RequestListener,
  port = 0,
  options: ListenOptions = {},
): Promise<RunningServer> {
  const server = http.createServer({ insecureHTTPParser: options.lenientFraming === true }, handler);
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<import('node:net').Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  return {
    server,
    port: actual,
    url: `http://127.0.0.1:${actual}`,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A request id in the shape OSS uses: 24 upper-case hex characters. */
export function ossRequestId(): string {
  return randomBytes(12).toString('hex').toUpperCase();
}

/** A request id in the shape KMS and Function Compute use: a UUID. */
export function uuidRequestId(): string {
  const h = randomBytes(16).toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`.toUpperCase();
}

export const MAX_BODY_BYTES = 64 * 1024 * 1024;

/** Reads the whole request body (bounded). */
export async function readBody(req: http.IncomingMessage, limit = MAX_BODY_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const b = chunk as Buffer;
    size += b.length;
    if (size > limit) throw new RangeError(`request body larger than ${limit} bytes`);
    chunks.push(b);
  }
  return Buffer.concat(chunks);
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * Sends a response body, honouring a fault decision's slow body (chunks spaced by `slowBodyMs`) and
 * lost response (`dropAfter`: the socket is destroyed instead of answering).
 */
export async function sendBody(
  res: http.ServerResponse,
  body: Buffer | string,
  decision: FaultDecision,
): Promise<void> {
  if (decision.kind === 'none' && decision.dropAfter) {
    res.socket?.destroy();
    return;
  }
  const buf = typeof body === 'string' ? Buffer.from(body) : body;
  if (decision.kind === 'none' && decision.slowBodyMs > 0 && buf.length > 0) {
    if (!res.hasHeader('content-length')) res.setHeader('content-length', buf.length);
    const step = Math.max(1, Math.ceil(buf.length / 4));
    for (let i = 0; i < buf.length; i += step) {
      res.write(buf.subarray(i, i + step));
      await sleep(decision.slowBodyMs);
    }
    res.end();
    return;
  }
  res.end(buf);
}

/** A JSON reply of the RPC-style emulators (KMS, STS, Resource Manager): body, request id header, faults. */
export function sendJson(
  res: http.ServerResponse,
  status: number,
  body: Record<string, unknown>,
  requestId: string,
  decision: FaultDecision,
): Promise<void> {
  res.statusCode = status;
  res.setHeader('content-type', 'application/json;charset=utf-8');
  res.setHeader('x-acs-request-id', requestId);
  return sendBody(res, JSON.stringify(body), decision);
}
