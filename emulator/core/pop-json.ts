/**
 * The HTTP side of an RPC-style POP API called with signature V3 (STS, Resource Manager): parameters from
 * the query and a form body, the ACS3 signature checked (acs3.ts), `x-acs-action` / `x-acs-version`
 * dispatched to an action, JSON answered. Errors have the POP JSON error body `{RequestId, HostId, Code,
 * Message, Recommend}` that @alicloud/openapi-core turns into `err.code` / `err.data` (its doRequest reads
 * `Code` and `Message` from a 4xx/5xx JSON body).
 */
import type http from 'node:http';
import type { Accounts } from './accounts.js';
import { PopError, verifyAcs3 } from './acs3.js';
import type { Faults } from './faults.js';
import { readBody, sendJson, sleep, uuidRequestId } from './http.js';

/** What an action knows of its caller. */
export interface PopCaller {
  accessKeyId: string;
  accountId: string;
  principalArn: string;
}

export type PopAction = (params: Record<string, string>, caller: PopCaller) => Record<string, unknown>;

export interface PopJsonContext {
  product: string;
  version: string;
  /** `sts.aliyuncs.com`, for `HostId`. */
  hostId: string;
  accounts: Accounts;
  faults: Faults;
  now: () => Date;
  actions: Record<string, PopAction>;
}

async function handle(
  ctx: PopJsonContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const requestId = uuidRequestId();
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const body = await readBody(req);
  const action = String(req.headers['x-acs-action'] ?? query.get('Action') ?? '');
  const decision = ctx.faults.decide(action || 'Unknown');
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (decision.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  try {
    if (decision.kind === 'throttle')
      throw new PopError('Throttling', 503, 'Request was denied due to request throttling.');
    if (decision.kind === 'error')
      throw new PopError(
        'InternalError',
        decision.status,
        'The request processing has failed due to some unknown error.',
      );
    const accessKeyId = verifyAcs3(
      { method: req.method ?? 'POST', path, query, headers: req.headers, body },
      ctx.accounts,
      ctx.now(),
    );
    if (String(req.headers['x-acs-version'] ?? '') !== ctx.version) {
      throw new PopError('InvalidVersion', 400, 'Specified parameter Version is not valid.');
    }
    const run = Object.hasOwn(ctx.actions, action) ? ctx.actions[action] : undefined;
    if (!run)
      throw new PopError(
        'InvalidAction.NotFound',
        404,
        'Specified api is not found, please check your url and method.',
      );
    const params = Object.create(null) as Record<string, string>;
    for (const [k, v] of query) params[k] = v;
    if (String(req.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) {
      for (const [k, v] of new URLSearchParams(body.toString())) params[k] = v;
    }
    const caller: PopCaller = {
      accessKeyId,
      accountId: ctx.accounts.accountOf(accessKeyId),
      principalArn: ctx.accounts.principalOf(accessKeyId),
    };
    await sendJson(res, 200, { RequestId: requestId, ...run(params, caller) }, requestId, decision);
  } catch (err) {
    if (!(err instanceof PopError)) throw err;
    await sendJson(
      res,
      err.status,
      { RequestId: requestId, HostId: ctx.hostId, Code: err.code, Message: err.message, Recommend: '' },
      requestId,
      decision,
    );
  }
}

export function popJsonListener(ctx: PopJsonContext): http.RequestListener {
  return (req, res) => {
    handle(ctx, req, res).catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
}
