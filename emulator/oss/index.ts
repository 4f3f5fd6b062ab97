/**
 * An in-process OSS server the real `ali-oss` client talks to over HTTP: regions told apart by `Host`,
 * V1 and V4 signatures, RAM authorization, the OSS error XML, and per-operation fault injection.
 *
 * Every response carries `x-oss-request-id`, `Server: AliyunOSS` and `Date`; errors carry `x-oss-ec`
 * and, for HEAD (no body), the error XML base64-encoded in `x-oss-err`, which ali-oss decodes.
 */
import type http from 'node:http';
import type { Accounts } from '../core/accounts.js';
import { Faults } from '../core/faults.js';
import { listen, ossRequestId, readBody, sendBody, sleep } from '../core/http.js';
import { ossServiceKeyId } from '../kms/service-key.js';
import { authenticate } from './auth.js';
import {
  deleteBucket,
  deleteBucketTagging,
  getBucketInfo,
  getBucketLocation,
  getBucketTagging,
  getBucketVersioning,
  listBuckets,
  putBucket,
  putBucketTagging,
  putBucketVersioning,
} from './buckets.js';
import { httpDate, type OssContext, type OssReply, type OssRequest } from './context.js';
import { copyObject } from './copy.js';
import { deleteBucketEncryption, getBucketEncryption, putBucketEncryption } from './encryption.js';
import { errors, OssError } from './errors.js';
import { listObjects, listObjectsV2 } from './list-objects.js';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  initiateMultipartUpload,
  uploadPart,
  uploadPartCopy,
} from './multipart.js';
import {
  deleteObject,
  deleteObjectTagging,
  getObject,
  getObjectMeta,
  getObjectTagging,
  headObject,
  putObject,
  putObjectTagging,
} from './objects.js';
import { operationName, resolveTarget } from './routing.js';
import type { KmsKeyLookup, ServiceKeyId } from './sse.js';
import { OssState } from './state.js';
import { toXml, type XmlElement } from './xml.js';

export type { BucketEncryption, KmsKeyLookup, ObjectSse, ServiceKeyId, SseAlgorithm } from './sse.js';
export type { BucketRecord, CreateBucketOptions, PutObjectOptions, StoredObject } from './state.js';
export { OssState } from './state.js';

export interface OssEmulatorOptions {
  accounts: Accounts;
  port?: number;
  faults?: Faults;
  kms?: KmsKeyLookup;
  /**
   * The id of a region's OSS service key (`alias/acs/oss`), answered for KMS writes that name no key;
   * default `ossServiceKeyId(accounts.accountId, region)` (emulator/kms/service-key.ts).
   */
  kmsServiceKey?: ServiceKeyId;
  now?: () => Date;
  /**
   * Code for a bucket reached through another region's endpoint: `AccessDenied` (OSS "HTTP status code
   * 403", default) or `PermanentRedirect` (the newer "HTTP 403 errors" page); both are 403 with `<Endpoint>`.
   */
  wrongEndpointCode?: 'AccessDenied' | 'PermanentRedirect';
}

/** A request the emulator answered with success, for observers such as the sandbox's trigger wiring. */
export interface OssCall {
  /** The operation name (`PutObject`, `CopyObject`, `PutBucketEncryption`, ...). */
  op: string;
  bucket?: string;
  key?: string;
  /** The region of the endpoint the request came through, if any. */
  region?: string;
  /** The verified access key (empty for an anonymous request). */
  accessKeyId: string;
  requestId: string;
  status: number;
  /** The source address, as OSS records it in events (`requestParameters.sourceIPAddress`). */
  sourceIp: string;
}

export interface OssEmulator {
  /** `http://127.0.0.1:PORT`: pass as ali-oss `endpoint`. */
  url: string;
  port: number;
  faults: Faults;
  state: OssState;
  /**
   * Calls `observer` after every successful (2xx) request, before its response is sent (the sandbox
   * derives OSS and EventBridge trigger events from these). Returns a function that stops observing.
   */
  observe(observer: (call: OssCall) => void): () => void;
  close(): Promise<void>;
}

type Handler = (ctx: OssContext, req: OssRequest) => OssReply;

const HANDLERS: Record<string, Handler> = {
  ListBuckets: listBuckets,
  PutBucket: putBucket,
  DeleteBucket: deleteBucket,
  GetBucketInfo: getBucketInfo,
  GetBucketLocation: getBucketLocation,
  GetBucketEncryption: getBucketEncryption,
  PutBucketEncryption: putBucketEncryption,
  DeleteBucketEncryption: deleteBucketEncryption,
  GetBucketTagging: getBucketTagging,
  PutBucketTagging: putBucketTagging,
  DeleteBucketTagging: deleteBucketTagging,
  GetBucketVersioning: getBucketVersioning,
  PutBucketVersioning: putBucketVersioning,
  ListObjects: listObjects,
  ListObjectsV2: listObjectsV2,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  GetObjectMeta: getObjectMeta,
  CopyObject: copyObject,
  DeleteObject: deleteObject,
  GetObjectTagging: getObjectTagging,
  PutObjectTagging: putObjectTagging,
  DeleteObjectTagging: deleteObjectTagging,
  InitiateMultipartUpload: initiateMultipartUpload,
  UploadPart: uploadPart,
  UploadPartCopy: uploadPartCopy,
  CompleteMultipartUpload: completeMultipartUpload,
  AbortMultipartUpload: abortMultipartUpload,
};

function errorReply(err: unknown, requestId: string, hostId: string, isHead: boolean): OssReply {
  // A bug in the emulator shows up as a 500 whose body says what went wrong.
  const e =
    err instanceof OssError
      ? err
      : new OssError(500, 'InternalError', 'We encountered an internal error. Please try again.', {
          EmulatorDetail: String(err),
        });
  const body: XmlElement = {
    Code: e.code,
    Message: e.message,
    RequestId: requestId,
    HostId: hostId,
    ...e.extra,
  };
  body.EC = e.ec;
  body.RecommendDoc = `https://api.aliyun.com/troubleshoot?q=${e.ec}`;
  const xml = toXml('Error', body);
  const headers: Record<string, string> = { 'content-type': 'application/xml', 'x-oss-ec': e.ec };
  if (isHead)
    return { status: e.status, headers: { ...headers, 'x-oss-err': Buffer.from(xml).toString('base64') } };
  return { status: e.status, headers, body: xml };
}

async function handle(
  ctx: OssContext,
  faults: Faults,
  req: http.IncomingMessage,
  res: http.ServerResponse,
  onSuccess: (call: OssCall) => void,
) {
  // A client that gives up (timeout, abort) leaves a slow body writing into a closed socket: not an error.
  res.on('error', () => {});
  const requestId = ossRequestId();
  const rawUrl = req.url ?? '/';
  const q = rawUrl.indexOf('?');
  const rawPath = q < 0 ? rawUrl : rawUrl.slice(0, q);
  const query = new URLSearchParams(q < 0 ? '' : rawUrl.slice(q + 1));
  const method = (req.method ?? 'GET').toUpperCase();
  const target = resolveTarget(req.headers.host, rawPath);
  const op = operationName(method, target, query, req.headers);
  const decision = faults.decide(op);
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (decision.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  const hostId = (req.headers.host ?? '').replace(/^\./, '');
  let reply: OssReply;
  try {
    const body = await readBody(req);
    if (decision.kind === 'throttle') throw errors.throttled(decision.code);
    if (decision.kind === 'error') throw errors.internal(decision.status);
    const oreq: OssRequest = {
      method,
      headers: req.headers,
      query,
      body,
      requestId,
      accessKeyId: '',
      ...target,
    };
    authenticate(ctx, oreq);
    const handler = HANDLERS[op];
    if (!handler) throw errors.notImplemented(op);
    reply = handler(ctx, oreq);
    faults.handled(op);
    if (reply.status >= 200 && reply.status < 300) {
      onSuccess({
        op,
        ...(oreq.bucket !== undefined ? { bucket: oreq.bucket } : {}),
        ...(oreq.key !== undefined ? { key: oreq.key } : {}),
        ...(oreq.hostRegion !== undefined ? { region: oreq.hostRegion } : {}),
        accessKeyId: oreq.accessKeyId,
        requestId,
        status: reply.status,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
      });
    }
  } catch (err) {
    reply = errorReply(err, requestId, hostId, method === 'HEAD');
  }
  res.statusCode = reply.status;
  for (const [k, v] of Object.entries(reply.headers ?? {})) res.setHeader(k, String(v));
  res.setHeader('x-oss-request-id', requestId);
  res.setHeader('server', 'AliyunOSS');
  res.setHeader('date', httpDate(ctx.now()));
  const body = method === 'HEAD' || reply.status === 304 ? Buffer.alloc(0) : (reply.body ?? Buffer.alloc(0));
  if (!res.hasHeader('content-length')) res.setHeader('content-length', Buffer.byteLength(body));
  await sendBody(res, body, decision);
}

/** Starts the OSS emulator on 127.0.0.1 (`port` 0 picks a free one) with an empty store. */
export async function startOssEmulator(opts: OssEmulatorOptions): Promise<OssEmulator> {
  const faults = opts.faults ?? new Faults();
  const now = opts.now ?? (() => new Date());
  const accountId = opts.accounts.accountId;
  const state = new OssState(
    now,
    opts.kmsServiceKey ?? ((region) => ossServiceKeyId(accountId, region)),
    accountId,
  );
  const ctx: OssContext = {
    state,
    accounts: opts.accounts,
    now,
    wrongEndpointCode: opts.wrongEndpointCode ?? 'AccessDenied',
  };
  if (opts.kms) ctx.kms = opts.kms;
  const observers = new Set<(call: OssCall) => void>();
  const notify = (call: OssCall) => {
    for (const o of observers) {
      try {
        o(call);
      } catch {
        // An observer's failure is its own; the request it watched still succeeds.
      }
    }
  };
  const server = await listen(
    (req, res) => {
      handle(ctx, faults, req, res, notify).catch(() => res.destroy());
    },
    opts.port ?? 0,
    { lenientFraming: true },
  );
  return {
    url: server.url,
    port: server.port,
    faults,
    state,
    observe(observer) {
      observers.add(observer);
      return () => observers.delete(observer);
    },
    close: server.close,
  };
}
