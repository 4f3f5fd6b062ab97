/**
 * The Function Compute gateway: the only module that imports @alicloud/fc2. It invokes functions
 * asynchronously (`X-Fc-Invocation-Type: Async`: Function Compute answers 202 at once, queues the event and
 * retries a failed run itself), turns fc2's errors into `CloudError`, and retries what is worth retrying.
 *
 * Two invoke paths, both signed by fc2 with the same `FC` authorization:
 * - `2023-03-30` (default): `POST /2023-03-30/functions/{function}/invocations[?qualifier=]`, the Function
 *   Compute 3.0 API. s.yaml deploys with the `fc3` component, which creates FC 3.0 functions: they have no
 *   service, so this is the path that reaches them. fc2 has no method for it; its generic `post` with
 *   `version = '2023-03-30'` signs and sends it.
 * - `2016-08-15`: `POST /2016-08-15/services/{service}[.{qualifier}]/functions/{function}/invocations`,
 *   fc2's own `invokeFunction`, for functions deployed as FC 2.0 services (needs a service name).
 *
 * fc2 reports a non-2xx answer as an `Error` named `FC<ErrorCode>Error` whose message carries the status
 * and request id (`POST /path failed with 429. requestid: <id>, message: <text>.`); network failures come
 * from httpx (`RequestTimeoutError`, or a socket `code` such as `ECONNRESET`).
 */
import FC from '@alicloud/fc2';
import type { Logger } from 'pino';
import type { CloudError } from '../errors.js';
import { type CloudErrorFacts, toCloudErrorWith } from './cloud-error.js';
import type { Credentials } from './credentials.js';
import { type RetryOptions, withRetry } from './retry.js';

/** The invoke API: FC 3.0 (`2023-03-30`, what fc3 deploys) or FC 2.0 services (`2016-08-15`). */
export type FcApiVersion = '2023-03-30' | '2016-08-15';
/** Both invoke paths fc2 can sign. */
export const FC_API_VERSIONS: readonly FcApiVersion[] = ['2023-03-30', '2016-08-15'];
/** The path that reaches what s.yaml deploys (fc3: FC 3.0 functions). */
export const DEFAULT_FC_API: FcApiVersion = '2023-03-30';

/** Credentials, account, region and path of the Function Compute endpoint. */
export interface FcGatewayOptions {
  credentials: Credentials;
  /** The account that owns the functions (part of the default endpoint host). */
  accountId: string;
  region: string;
  /** One URL instead of `https://<account>.<region>.fc.aliyuncs.com` (the emulator, a proxy). */
  endpoint?: string;
  apiVersion?: FcApiVersion;
  /** Per-request timeout in ms (default 10000: an async invoke only queues the event). */
  timeoutMs?: number;
  retry?: RetryOptions;
  logger?: Logger;
}

/** Which function to invoke. */
export interface FcFunctionRef {
  functionName: string;
  /** Required with the `2016-08-15` path; ignored with `2023-03-30`. */
  service?: string;
  /** Version or alias (default: LATEST). */
  qualifier?: string;
}

/** An accepted asynchronous invocation. */
export interface AsyncInvocation {
  /** `X-Fc-Request-Id`: the id the invocation's logs carry. */
  requestId?: string;
}

/** Error codes Function Compute uses for throttling and transient capacity problems. */
const RETRYABLE_CODES = new Set([
  'ResourceThrottled',
  'ResourceExhausted',
  'ConcurrentLimitExceeded',
  'ServiceUnavailable',
  'InternalServerError',
]);

interface Fc2ErrorShape {
  name?: string;
  code?: string;
  message?: string;
}

/** What fc2 (or httpx under it) threw, as the facts the shared converter needs. */
function readFcError(err: unknown): CloudErrorFacts {
  const e = (err ?? {}) as Fc2ErrorShape;
  const message = e.message ?? String(err);
  const answered = /failed with (\d{3})\. requestid: ([^,]*), message: (.*)$/s.exec(message);
  if (answered) {
    return {
      code: e.code ?? (e.name?.replace(/^FC|Error$/g, '') || 'UnknownError'),
      status: Number(answered[1]),
      requestId: answered[2]?.trim() || undefined,
      detail: (answered[3] ?? '').replace(/\.$/, ''),
      network: false,
    };
  }
  // No HTTP answer: a timeout or a socket error. The event may or may not have been queued; a retry can
  // queue it twice, which the callers tolerate (async invocations must be idempotent anyway).
  return { code: e.code ?? e.name ?? 'NetworkError', status: -1, detail: message, network: true };
}

/** Turns what fc2 (or httpx under it) throws into a `CloudError` naming `subject`. */
export function toFcError(err: unknown, subject: string): CloudError {
  return toCloudErrorWith(err, subject, readFcError, (code) => RETRYABLE_CODES.has(code));
}

/** Asynchronous Function Compute invocations over @alicloud/fc2, with normalised errors and retries. */
export class FcGateway {
  private client?: FC;
  private readonly apiVersion: FcApiVersion;

  constructor(private readonly opts: FcGatewayOptions) {
    this.apiVersion = opts.apiVersion ?? DEFAULT_FC_API;
  }

  /** The fc2 client (created once); its `version` picks the API path segment. */
  private fc(): FC {
    if (!this.client) {
      const { credentials, endpoint } = this.opts;
      this.client = new FC(this.opts.accountId, {
        accessKeyID: credentials.accessKeyId,
        accessKeySecret: credentials.accessKeySecret,
        // fc2 sends the token only for `STS.` key ids, and requires it for them.
        ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
        region: this.opts.region,
        ...(endpoint ? { endpoint } : { secure: true }),
        timeout: this.opts.timeoutMs ?? 10_000,
      });
      this.client.version = this.apiVersion;
    }
    return this.client;
  }

  /**
   * Invokes `fn` asynchronously with `payload` as its event: resolves once Function Compute accepted
   * the event (202). Throws a `CloudError` (after retries for throttling, 5xx and network errors).
   */
  async invokeAsync(fn: FcFunctionRef, payload: string | Buffer): Promise<AsyncInvocation> {
    const subject = `Function "${fn.functionName}" (${this.opts.region}): InvokeFunction (async)`;
    const headers = { 'x-fc-invocation-type': 'Async' };
    const send = () => {
      const client = this.fc();
      if (this.apiVersion === '2016-08-15') {
        if (!fn.service) throw new TypeError(`${subject}: the 2016-08-15 path needs a service name`);
        return client.invokeFunction(fn.service, fn.functionName, payload, headers, fn.qualifier);
      }
      const path = `/functions/${encodeURIComponent(fn.functionName)}/invocations`;
      return client.post(path, payload, headers, fn.qualifier ? { qualifier: fn.qualifier } : null);
    };
    const res = await withRetry(
      async () => {
        try {
          return await send();
        } catch (err) {
          if (err instanceof TypeError) throw err;
          throw toFcError(err, subject);
        }
      },
      {
        ...this.opts.retry,
        onRetry: (info) => {
          this.opts.logger?.debug(
            { subject, attempt: info.attempt, delayMs: info.delayMs, code: info.error.code },
            'retrying',
          );
          this.opts.retry?.onRetry?.(info);
        },
      },
    );
    const id = res.headers['x-fc-request-id'];
    return typeof id === 'string' ? { requestId: id } : {};
  }
}
