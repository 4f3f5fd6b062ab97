/**
 * Runs one invocation of a registered handler the way the Function Compute Node.js 20 runtime does:
 * the event is a Buffer, the context carries request id, credentials, function, service, region and
 * account; the result becomes the response body (Buffer or string as is, anything else as JSON).
 *
 * A thrown error is reported as Function Compute reports it, with HTTP 200 and
 * `X-Fc-Error-Type: UnhandledInvocationError`, body `{"errorMessage","errorType","stackTrace":[...]}`
 * (Function Compute "Error handling" for Node.js: `throw new Error('oops')` in an async ESM handler gives
 * `{"errorMessage":"oops","errorType":"Error","stackTrace":["Error: oops","    at handler (...)",...]}`).
 * Running past the function timeout gives the same header and `{"errorMessage":"Function timed out after
 * N seconds (maxMemoryUsage: ...)"}` (FC FAQ "Function time out after"). As on the real service the
 * handler is not killed; its late result is ignored.
 */
import type { FcContext, FcCredentials, FcHandler } from '../../shared/cloud/fc-context.js';

export interface FcFunction {
  /** '' for a Function Compute 3.0 function (no service). */
  service: string;
  fn: string;
  handler: FcHandler;
  timeoutSec: number;
  credentials: FcCredentials;
  region: string;
  memorySize: number;
  handlerName: string;
}

export type RunOutcome =
  | { status: 'ok'; body: Buffer; durationMs: number }
  | { status: 'error' | 'timeout'; body: Buffer; errorMessage: string; durationMs: number };

export interface RunEnv {
  accountId: string;
  now: () => Date;
}

export function buildContext(f: FcFunction, requestId: string, env: RunEnv): FcContext {
  return {
    requestId,
    credentials: { ...f.credentials },
    function: {
      name: f.fn,
      handler: f.handlerName,
      memory: f.memorySize,
      timeout: f.timeoutSec,
      initializer: '',
    },
    service: { name: f.service, logProject: '', logStore: '', qualifier: 'LATEST', versionId: '' },
    region: f.region,
    accountId: env.accountId,
    deadlineMs: env.now().getTime() + f.timeoutSec * 1000,
  };
}

/** How the runtime turns a handler's result into response bytes. */
export function resultBody(result: unknown): Buffer {
  if (Buffer.isBuffer(result)) return result;
  if (typeof result === 'string') return Buffer.from(result, 'utf8');
  if (result === undefined || result === null) return Buffer.alloc(0);
  return Buffer.from(JSON.stringify(result), 'utf8');
}

function errorBody(err: unknown): { errorMessage: string; errorType?: string; stackTrace?: string[] } {
  if (err instanceof Error) {
    return { errorMessage: err.message, errorType: err.name, stackTrace: (err.stack ?? '').split('\n') };
  }
  return { errorMessage: typeof err === 'string' ? err : (JSON.stringify(err) ?? String(err)) };
}

const TIMED_OUT = Symbol('timed out');

export async function runOnce(
  f: FcFunction,
  event: Buffer,
  requestId: string,
  env: RunEnv,
): Promise<RunOutcome> {
  const context = buildContext(f, requestId, env);
  const started = performance.now();
  const elapsed = () => Math.round(performance.now() - started);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<typeof TIMED_OUT>((resolve) => {
    timer = setTimeout(() => resolve(TIMED_OUT), f.timeoutSec * 1000);
  });
  try {
    const result = await Promise.race([Promise.resolve().then(() => f.handler(event, context)), timeout]);
    if (result === TIMED_OUT) {
      const errorMessage = `Function timed out after ${f.timeoutSec} seconds (maxMemoryUsage: 0MB)`;
      return {
        status: 'timeout',
        body: Buffer.from(JSON.stringify({ errorMessage })),
        errorMessage,
        durationMs: elapsed(),
      };
    }
    return { status: 'ok', body: resultBody(result), durationMs: elapsed() };
  } catch (err) {
    const body = errorBody(err);
    return {
      status: 'error',
      body: Buffer.from(JSON.stringify(body)),
      errorMessage: body.errorMessage,
      durationMs: elapsed(),
    };
  } finally {
    clearTimeout(timer);
  }
}
