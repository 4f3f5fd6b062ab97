/**
 * The KMS gateway: the only module that imports @alicloud/kms20160120. DescribeKey answers the
 * pre-flight's questions (exists? Enabled? which region?) for a key id, ARN or alias.
 */
import * as kms from '@alicloud/kms20160120';
import * as rpc from '@alicloud/rpc-client';
import { CloudError } from '../errors.js';
import type { KeyCallOptions, KeyInfo, KeyInspector } from '../ports.js';
import { type CloudErrorFacts, toCloudErrorWith } from './cloud-error.js';
import type { Credentials } from './credentials.js';
import { describeNetworkError } from './network-errors.js';
import { type RetryOptions, withRetry } from './retry.js';

// The package is CommonJS compiled from TypeScript. Node's ESM loader (and esbuild in Node mode) give
// `module.exports` as the default export, so the class is `default.default`; vitest unwraps one level.
type KmsClientClass = typeof kms.default.default;
const exported = kms.default as unknown as KmsClientClass | { default: KmsClientClass };
const KmsClient: KmsClientClass = typeof exported === 'function' ? exported : exported.default;
type KmsClientInstance = InstanceType<KmsClientClass>;

/** KMS API version of @alicloud/kms20160120. */
const KMS_VERSION = '2016-01-20';

export interface KmsGatewayOptions {
  credentials: Credentials;
  /** One endpoint for every region (`http://127.0.0.1:PORT`, the emulator); default `kms.<region>.aliyuncs.com` over HTTPS. */
  endpoint?: string;
  retry?: RetryOptions;
  timeoutMs?: number;
}

/** What the RPC client throws: `code` with an `Error` suffix, the parsed body in `data`. */
interface RpcErrorShape {
  code?: string;
  message?: string;
  name?: string;
  data?: { Code?: string; RequestId?: string; HttpStatus?: number; statusCode?: number };
  statusCode?: number;
}

const KMS_THROTTLING = /^(Throttling|ServiceUnavailable|InternalFailure|InternalError)/;

/**
 * What the RPC client threw, as the facts the shared converter needs. An answer's message is
 * `code: 404, <the service's words> requestid: <id>`; only those words are kept. A failure without an
 * answer keeps no detail: the RPC client's own errors may quote the request URL, whose query string
 * carries the signature.
 */
function readKmsError(err: unknown): CloudErrorFacts {
  const e = (err ?? {}) as RpcErrorShape;
  const fromBody = e.data?.Code;
  const code = fromBody ?? e.code?.replace(/Error$/, '') ?? e.name ?? 'UnknownError';
  const answered = /code: (\d{3}),\s*(.*?)\s*(?:requestid:|$)/s.exec(e.message ?? '');
  const status = answered ? Number(answered[1]) : fromBody ? 400 : -1;
  const detail = answered?.[2]?.split('\n')[0]?.replace(/\.$/, '') || undefined;
  const network = !fromBody && !answered;
  const problem = network ? describeNetworkError(err) : undefined;
  return {
    code,
    status,
    requestId: e.data?.RequestId,
    detail,
    network,
    ...(problem ? { unreachable: problem } : {}),
    denied: code === 'Forbidden.NoPermission' || code === 'Forbidden.RAM',
  };
}

/** Turns what the KMS RPC client throws into a `CloudError` naming `subject`. */
export function kmsCloudError(err: unknown, subject: string): CloudError {
  return toCloudErrorWith(err, subject, readKmsError, (code) => KMS_THROTTLING.test(code));
}

export class KmsGateway implements KeyInspector {
  private readonly clients = new Map<string, KmsClientInstance>();
  constructor(private readonly opts: KmsGatewayOptions) {}

  private client(region: string): KmsClientInstance {
    let c = this.clients.get(region);
    if (!c) {
      const override = this.opts.endpoint ? new URL(this.opts.endpoint) : undefined;
      const { credentials } = this.opts;
      c = new KmsClient(
        new rpc.Config({
          accessKeyId: credentials.accessKeyId,
          accessKeySecret: credentials.accessKeySecret,
          ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
          regionId: region,
          endpoint: override ? override.host : `kms.${region}.aliyuncs.com`,
          protocol: override ? override.protocol.replace(':', '') : 'https',
          readTimeout: this.opts.timeoutMs ?? 10_000,
          connectTimeout: this.opts.timeoutMs ?? 10_000,
        }),
      );
      this.clients.set(region, c);
    }
    return c;
  }

  /**
   * DescribeKey for a key id, ARN or alias. Sent through the client's generic `doRequest` so that the
   * request also carries `RegionId` (a POP common parameter the typed request omits): with one endpoint
   * for every region (the emulator, a proxy), that is the only thing naming the region.
   */
  async describeKey(ref: string, region: string, call: KeyCallOptions = {}): Promise<KeyInfo> {
    const subject = `KMS key "${ref}" (${region}): DescribeKey`;
    const client = this.client(region);
    const own = this.opts.timeoutMs ?? 10_000;
    const now = this.opts.retry?.now ?? Date.now;
    const retry = { ...this.opts.retry, ...(call.deadline !== undefined ? { deadline: call.deadline } : {}) };
    const res = await withRetry(async () => {
      // Each attempt's timeout is capped by what is left before the deadline (the pre-flight too).
      const left = call.deadline === undefined ? own : Math.floor(call.deadline - now());
      if (left <= 0) {
        throw new CloudError(`${subject}: not sent, the deadline has passed`, {
          code: 'DeadlineExceeded',
          status: -2,
          retryable: false,
        });
      }
      const timeout = Math.min(own, left);
      try {
        const raw = await client.doRequest(
          'DescribeKey',
          'HTTPS',
          'POST',
          KMS_VERSION,
          'AK',
          { KeyId: ref, RegionId: region },
          // No form body (the typed client sends none either); runtime options are plain fields
          // (readTimeout, autoretry...) that doRequest reads with defaults, so an empty object is enough.
          null as unknown as Record<string, never>,
          { readTimeout: timeout, connectTimeout: timeout } as Parameters<KmsClientInstance['doRequest']>[7],
        );
        return raw as { KeyMetadata?: Record<string, string | undefined> };
      } catch (err) {
        throw kmsCloudError(err, subject);
      }
    }, retry);
    const meta = res.KeyMetadata ?? {};
    if (!meta.KeyId || !meta.KeyState) {
      throw new CloudError(`${subject}: the answer has no KeyMetadata`, {
        code: 'MalformedResponse',
        status: 200,
        retryable: false,
      });
    }
    const arn = meta.Arn ?? '';
    const arnRegion = /^acs:kms:([^:]+):/.exec(arn)?.[1];
    const creator = meta.Creator || undefined;
    return {
      keyId: meta.KeyId,
      arn,
      state: meta.KeyState,
      region: arnRegion ?? region,
      ...(creator ? { creator } : {}),
      serviceKey: isServiceKey(ref, creator),
      ...(meta.Origin ? { origin: meta.Origin } : {}),
      ...(meta.ProtectionLevel ? { protectionLevel: meta.ProtectionLevel } : {}),
    };
  }
}

/**
 * A service key is one a cloud service created for itself: KMS sets its `Creator` to the service code
 * (`OSS`) instead of the numeric account id, and gives it the reserved alias `alias/acs/<service>`
 * (KMS "Integration with KMS"; "Manage a key alias").
 */
export function isServiceKey(ref: string, creator: string | undefined): boolean {
  if (/^(acs:kms:[^:]*:[^:]*:)?alias\/acs\//.test(ref)) return true;
  return creator !== undefined && !/^\d+$/.test(creator);
}
