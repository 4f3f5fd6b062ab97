/**
 * The HTTP side of the Function Compute emulator: the InvokeFunction API.
 *
 * - FC 2.0, what @alicloud/fc2 `invokeFunction` calls:
 *   `POST /2016-08-15/services/{service}[.{qualifier}]/functions/{function}/invocations`.
 * - FC 3.0: `POST /2023-03-30/functions/{function}/invocations[?qualifier=]`, for functions registered
 *   with service `''` (fc2 reaches it with `client.version = '2023-03-30'` and `client.post(...)`).
 *
 * `X-Fc-Invocation-Type: Sync` (default) answers 200 with the function's result, or 200 with
 * `X-Fc-Error-Type` and the error JSON; `Async` answers 202 with an empty body and `X-Fc-Request-Id` at
 * once and queues the run. The success body is sent as `application/octet-stream` so fc2 hands it back
 * as a string (its own tests against the service read `'hello world'` and `JSON.parse(resp.data)`); error
 * bodies are `application/json`, which fc2 parses. `X-Fc-Log-Type: Tail` adds `X-Fc-Log-Result`.
 *
 * RAM: `fc:InvokeFunction` on `acs:fc:<region>:<account>:services/<service>/functions/<function>`
 * (FC 3.0: `...:functions/<function>`).
 */
import type http from 'node:http';
import type { Accounts } from '../core/accounts.js';
import type { FaultDecision, Faults } from '../core/faults.js';
import { readBody, sendBody, sleep, uuidRequestId } from '../core/http.js';
import { FcError, fcErrors } from './errors.js';
import type { FcFunction, RunOutcome } from './runner.js';
import { fcSign, fcStringToSign, parseAuthorization, sameSignature } from './signature.js';

const OSS_DEFAULT_THROTTLE = 'MetaOperationQpsLimitExceeded';

export interface FcServerContext {
  accounts: Accounts;
  faults: Faults;
  accountId: string;
  /** Region of an unknown function's resource ARN. */
  region: string;
  /** service -> function name -> function */
  functions: Map<string, Map<string, FcFunction>>;
  runSync(f: FcFunction, event: Buffer, requestId: string): Promise<RunOutcome>;
  enqueue(f: FcFunction, event: Buffer, requestId: string): void;
}

interface Route {
  service: string;
  qualifier: string;
  fn: string;
}

function parseRoute(pathname: string, query: URLSearchParams): Route | undefined {
  const v2 = /^\/2016-08-15\/services\/([^/]+)\/functions\/([^/]+)\/invocations$/.exec(pathname);
  if (v2?.[1] && v2[2]) {
    const [service = '', ...q] = decodeURIComponent(v2[1]).split('.');
    return { service, qualifier: q.join('.'), fn: decodeURIComponent(v2[2]) };
  }
  const v3 = /^\/2023-03-30\/functions\/([^/]+)\/invocations$/.exec(pathname);
  if (v3?.[1]) return { service: '', qualifier: query.get('qualifier') ?? '', fn: decodeURIComponent(v3[1]) };
  return undefined;
}

function authenticate(
  ctx: FcServerContext,
  req: http.IncomingMessage,
  path: string,
  query: URLSearchParams,
): string {
  if (!req.headers.authorization) throw fcErrors.missingHeader('Authorization');
  if (!req.headers.date) throw fcErrors.missingHeader('Date');
  const auth = parseAuthorization(req.headers.authorization);
  if (!auth) throw fcErrors.invalidArgument('the Authorization header is malformed');
  const key = ctx.accounts.get(auth.akId);
  if (!key) throw fcErrors.invalidAccessKey(auth.akId);
  const expected = fcSign(
    fcStringToSign(req.method ?? 'POST', path, req.headers, query),
    key.accessKeySecret,
  );
  if (!sameSignature(auth.signature, expected)) throw fcErrors.signatureNotMatch();
  if (key.securityToken !== undefined && req.headers['x-fc-security-token'] !== key.securityToken) {
    throw fcErrors.invalidToken();
  }
  if (ctx.accounts.expired(auth.akId)) throw fcErrors.expiredToken();
  return auth.akId;
}

function findFunction(ctx: FcServerContext, route: Route): FcFunction {
  const service = ctx.functions.get(route.service);
  if (!service)
    throw route.service ? fcErrors.serviceNotFound(route.service) : fcErrors.functionNotFound('', route.fn);
  if (route.qualifier && route.qualifier !== 'LATEST')
    throw fcErrors.aliasNotFound(route.qualifier, route.service);
  const f = service.get(route.fn);
  if (!f) throw fcErrors.functionNotFound(route.service, route.fn);
  return f;
}

function checkFault(decision: FaultDecision): void {
  if (decision.kind === 'throttle') {
    throw fcErrors.throttled(decision.code === OSS_DEFAULT_THROTTLE ? undefined : decision.code);
  }
  if (decision.kind === 'error') throw fcErrors.internal(decision.status);
}

function logResult(requestId: string): string {
  const log = `FC Invoke Start RequestId: ${requestId}\nFC Invoke End RequestId: ${requestId}\n`;
  return Buffer.from(log).toString('base64');
}

/** Writes a sync invocation's outcome; `tailFor` asks for `X-Fc-Log-Result` of that request. */
async function sendOutcome(
  res: http.ServerResponse,
  outcome: RunOutcome,
  tailFor: string | undefined,
  decision: FaultDecision,
): Promise<void> {
  res.statusCode = 200;
  res.setHeader('x-fc-invocation-duration', String(outcome.durationMs));
  res.setHeader('x-fc-max-memory-usage', '0');
  res.setHeader('x-fc-invocation-service-version', 'LATEST');
  if (tailFor) res.setHeader('x-fc-log-result', logResult(tailFor));
  if (outcome.status === 'ok') {
    res.setHeader('content-type', 'application/octet-stream');
  } else {
    res.setHeader('x-fc-error-type', 'UnhandledInvocationError');
    res.setHeader('content-type', 'application/json');
  }
  await sendBody(res, outcome.body, decision);
}

export function fcRequestListener(ctx: FcServerContext): http.RequestListener {
  return (req, res) => {
    handle(ctx, req, res).catch(() => {
      if (!res.headersSent) res.statusCode = 500;
      res.end();
    });
  };
}

async function handle(
  ctx: FcServerContext,
  req: http.IncomingMessage,
  res: http.ServerResponse,
): Promise<void> {
  const requestId = uuidRequestId().toLowerCase();
  const raw = req.url ?? '/';
  const q = raw.indexOf('?');
  const path = q >= 0 ? raw.slice(0, q) : raw;
  const query = new URLSearchParams(q >= 0 ? raw.slice(q + 1) : '');
  const event = await readBody(req);
  const decision = ctx.faults.decide('Invoke');
  if (decision.latencyMs > 0) await sleep(decision.latencyMs);
  if (decision.kind === 'drop') {
    req.socket.destroy();
    return;
  }
  res.setHeader('x-fc-request-id', requestId);
  try {
    checkFault(decision);
    const route = req.method === 'POST' ? parseRoute(path, query) : undefined;
    if (!route) throw fcErrors.pathNotSupported(req.method ?? '', path);
    const akId = authenticate(ctx, req, path, query);
    const fn = ctx.functions.get(route.service)?.get(route.fn);
    const region = fn?.region ?? ctx.region;
    const resource = route.service
      ? `acs:fc:${region}:${ctx.accountId}:services/${route.service}/functions/${route.fn}`
      : `acs:fc:${region}:${ctx.accountId}:functions/${route.fn}`;
    if (!ctx.accounts.authorize(akId, 'fc:InvokeFunction', resource)) {
      throw fcErrors.accessDenied('fc:InvokeFunction', resource);
    }
    const f = findFunction(ctx, route);
    const type = String(req.headers['x-fc-invocation-type'] ?? 'Sync').toLowerCase();
    if (type !== 'sync' && type !== 'async') {
      throw fcErrors.invalidArgument(`invalid invocation type '${req.headers['x-fc-invocation-type']}'`);
    }
    if (type === 'async') {
      ctx.enqueue(f, event, requestId);
      res.statusCode = 202;
      await sendBody(res, '', decision);
      return;
    }
    const outcome = await ctx.runSync(f, event, requestId);
    const tail = String(req.headers['x-fc-log-type'] ?? '').toLowerCase() === 'tail';
    await sendOutcome(res, outcome, tail ? requestId : undefined, decision);
  } catch (err) {
    if (!(err instanceof FcError)) throw err;
    res.statusCode = err.status;
    res.setHeader('content-type', 'application/json');
    await sendBody(res, JSON.stringify({ ErrorCode: err.code, ErrorMessage: err.message }), decision);
  }
}
