/**
 * The HTTP side of the KMS emulator: parses a POP RPC request (GET query, or POST with query and/or an
 * `application/x-www-form-urlencoded` body; @alicloud/kms20160120 POSTs everything in the query), applies
 * the fault decision, authenticates, runs the action and answers JSON. Errors have exactly the body of
 * wire-samples/kms-error.json (`RequestId`, `HostId`, `Code`, `Message`) and the documented status.
 *
 * Region: @alicloud/kms20160120 sends no `RegionId`; its `regionId` option only picks the default
 * endpoint `kms.<region>.aliyuncs.com`, and with an explicit `endpoint` the `Host` header is that
 * endpoint verbatim. So the region of a request is, in order: the region of the listener it arrived on
 * (see `KmsEmulator.endpointFor`), the region in a `kms[-vpc].<region>.aliyuncs.com` Host, the
 * `RegionId` parameter (older POP SDKs and the aliyun CLI send it), else the emulator's default region.
 */
import type http from 'node:http';
import type { Accounts } from '../core/accounts.js';
import type { Faults } from '../core/faults.js';
import { readBody, sendJson, sleep, uuidRequestId } from '../core/http.js';
import { runAction } from './actions.js';
import { authenticate, type NonceCache } from './auth.js';
import { KmsError, kmsErrors } from './errors.js';
import type { KmsState } from './state.js';

export const KMS_API_VERSION = '2016-01-20';
/** Faults' default throttle code is OSS's; KMS answers `Throttling` instead. */
const OSS_DEFAULT_THROTTLE = 'MetaOperationQpsLimitExceeded';

export interface KmsServerContext {
  accounts: Accounts;
  state: KmsState;
  faults: Faults;
  nonces: NonceCache;
  /** The key store of another account (organization members); default: `state` for every caller. */
  stateFor?: (accountId: string) => KmsState;
  now: () => Date;
  defaultRegion: string;
  /** Requests received, by `Action`, region and `KeyId` (see `KmsEmulator.calls`). */
  calls: Map<string, number>;
}

/** The key of `KmsServerContext.calls`. */
export function callKey(action: string, region: string, keyId: string): string {
  return `${action}\n${region}\n${keyId}`;
}

function parseForm(text: string, into: Record<string, string>): void {
  for (const [k, v] of new URLSearchParams(text)) if (!Object.hasOwn(into, k)) into[k] = v;
}

async function readParams(req: http.IncomingMessage): Promise<Record<string, string>> {
  // No prototype: parameter names come from the client (`__proto__`, `constructor`...).
  const params = Object.create(null) as Record<string, string>;
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  if (q >= 0) parseForm(url.slice(q + 1), params);
  const body = await readBody(req);
  const type = req.headers['content-type'] ?? '';
  if (body.length > 0 && type.startsWith('application/x-www-form-urlencoded'))
    parseForm(body.toString(), params);
  return params;
}

function hostRegion(host: string | undefined): string | undefined {
  return /^kms(?:-[a-z]+)?\.([a-z0-9-]+)\.aliyuncs\.com(?::\d+)?$/i.exec(host ?? '')?.[1];
}

export function requestRegion(
  params: Record<string, string>,
  host: string | undefined,
  portRegion: string | undefined,
  defaultRegion: string,
): string {
  return portRegion ?? hostRegion(host) ?? (params.RegionId || undefined) ?? defaultRegion;
}

/** Builds the request listener; `portRegion` pins the region of every request it receives. */
export function kmsRequestListener(ctx: KmsServerContext, portRegion?: string): http.RequestListener {
  return (req, res) => {
    handle(ctx, portRegion, req, res).catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
}

async function handle(
  ctx: KmsServerContext,
  portRegion: string | undefined,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const requestId = uuidRequestId().toLowerCase();
  const params = await readParams(req);
  const region = requestRegion(params, req.headers.host, portRegion, ctx.defaultRegion);
  const counted = callKey(params.Action || 'Unknown', region, params.KeyId ?? '');
  ctx.calls.set(counted, (ctx.calls.get(counted) ?? 0) + 1);
  const decision = ctx.faults.decide(params.Action || 'Unknown');
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (decision.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  let status = 200;
  let body: Record<string, unknown>;
  try {
    if (decision.kind === 'throttle') {
      throw kmsErrors.throttling(decision.code === OSS_DEFAULT_THROTTLE ? 'Throttling' : decision.code);
    }
    if (decision.kind === 'error') throw kmsErrors.internal(decision.status);
    const method = (req.method ?? 'GET').toUpperCase();
    if (method !== 'GET' && method !== 'POST') {
      throw new KmsError('UnsupportedHTTPMethod', 403, 'This http method is not supported.');
    }
    const accessKeyId = authenticate(method, params, ctx.accounts, ctx.nonces, ctx.now());
    if (params.Version !== KMS_API_VERSION) throw kmsErrors.invalidVersion();
    body = {
      RequestId: requestId,
      ...runAction({
        state: ctx.stateFor?.(ctx.accounts.accountOf(accessKeyId)) ?? ctx.state,
        accounts: ctx.accounts,
        accessKeyId,
        region,
        params,
      }),
    };
  } catch (err) {
    if (!(err instanceof KmsError)) throw err;
    status = err.status;
    body = {
      RequestId: requestId,
      HostId: `kms.${region}.aliyuncs.com`,
      Code: err.code,
      Message: err.message,
    };
  }
  await sendJson(res, status, body, requestId, decision);
}
