/**
 * Function Compute emulator: the InvokeFunction API that @alicloud/fc2 calls (signed `FC` authorization),
 * sync and async, running registered in-process handlers with the Node.js 20 runtime's event and context.
 * Loopback only. See server.ts for the wire details and runner.ts for how a handler's outcome is reported.
 *
 * A function's context credentials are the ones given at registration, else a generated STS triple that
 * is added to `accounts`, so a handler can call the OSS and KMS emulators with them (as a real function
 * uses its service role's temporary credentials).
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { FcCredentials, FcHandler } from '../../shared/cloud/fc-context.js';
import type { Accounts } from '../core/accounts.js';
import { Faults } from '../core/faults.js';
import { listen } from '../core/http.js';
import { AsyncQueue } from './async-queue.js';
import { type FcFunction, type RunOutcome, runOnce } from './runner.js';
import { fcRequestListener } from './server.js';

export interface FcEmulatorOptions {
  accounts: Accounts;
  port?: number;
  faults?: Faults;
  /** Region of registered functions unless they name one (default cn-hangzhou). */
  region?: string;
  /** Default: the accounts' account id. */
  accountId?: string;
  /** Async invocations running at once (default 10). */
  asyncConcurrency?: number;
  /** Retries of a failed async invocation after the first attempt (default 3, as Function Compute). */
  asyncMaxRetries?: number;
  /** Wait before the first retry, doubled for each next one (default 10 ms; the service uses 0.5 s+). */
  asyncRetryDelayMs?: number;
  now?: () => Date;
}

export interface RegisterOptions {
  /** Function timeout in seconds (default 60); fractions are allowed for fast tests. */
  timeoutSec?: number;
  /** Context credentials; default a generated STS triple registered in `accounts`. */
  credentials?: FcCredentials;
  region?: string;
  memorySize?: number;
  /** `context.function.handler` (default `index.handler`). */
  handlerName?: string;
}

export interface InvocationRecord {
  /** '' for an FC 3.0 function. */
  service: string;
  fn: string;
  type: 'sync' | 'async';
  requestId: string;
  /** 1 for the first attempt; async retries count up. */
  attempt: number;
  status: 'ok' | 'error' | 'timeout';
  startedAt: Date;
  finishedAt: Date;
  errorMessage?: string;
}

export interface FcEmulator {
  /** `http://127.0.0.1:PORT`, the fc2 `endpoint` option. */
  url: string;
  port: number;
  region: string;
  accountId: string;
  faults: Faults;
  /** Registers `handler` as `service/fn`; service `''` registers an FC 3.0 function. */
  register(service: string, fn: string, handler: FcHandler, opts?: RegisterOptions): void;
  /** Every attempt, in the order they finished. */
  invocations: InvocationRecord[];
  /**
   * Invokes `service/fn` asynchronously as a trigger does (OSS, timer and EventBridge triggers invoke
   * asynchronously): queued, retried on failure like an async API invocation. Returns the request id;
   * throws when the function is not registered.
   */
  invokeAsync(service: string, fn: string, event: Buffer): string;
  /** Resolves when no async invocation is queued, running or waiting for a retry. */
  idle(): Promise<void>;
  close(): Promise<void>;
}

function generatedCredentials(): Required<FcCredentials> {
  return {
    accessKeyId: `STS.${randomBytes(12).toString('hex').toUpperCase()}`,
    accessKeySecret: randomBytes(24).toString('base64url'),
    securityToken: randomBytes(48).toString('base64'),
  };
}

/** Starts the Function Compute emulator on 127.0.0.1 (port 0 picks a free port). */
export async function startFcEmulator(opts: FcEmulatorOptions): Promise<FcEmulator> {
  const now = opts.now ?? (() => new Date());
  const region = opts.region ?? 'cn-hangzhou';
  const accountId = opts.accountId ?? opts.accounts.accountId;
  const faults = opts.faults ?? new Faults();
  const functions = new Map<string, Map<string, FcFunction>>();
  const generatedKeys: string[] = [];
  const invocations: InvocationRecord[] = [];
  const queue = new AsyncQueue({
    concurrency: opts.asyncConcurrency ?? 10,
    maxRetries: opts.asyncMaxRetries ?? 3,
    retryDelayMs: opts.asyncRetryDelayMs ?? 10,
  });

  const attempt = async (
    f: FcFunction,
    event: Buffer,
    requestId: string,
    type: 'sync' | 'async',
    n: number,
  ) => {
    const startedAt = now();
    const outcome: RunOutcome = await runOnce(f, event, requestId, { accountId, now });
    invocations.push({
      service: f.service,
      fn: f.fn,
      type,
      requestId,
      attempt: n,
      status: outcome.status,
      startedAt,
      finishedAt: now(),
      ...(outcome.status === 'ok' ? {} : { errorMessage: outcome.errorMessage }),
    });
    return outcome;
  };

  const server = await listen(
    fcRequestListener({
      accounts: opts.accounts,
      faults,
      accountId,
      region,
      functions,
      runSync: (f, event, requestId) => attempt(f, event, requestId, 'sync', 1),
      enqueue: (f, event, requestId) =>
        queue.enqueue({
          run: async (n) => (await attempt(f, event, requestId, 'async', n)).status === 'ok',
        }),
    }),
    opts.port ?? 0,
  );

  return {
    url: server.url,
    port: server.port,
    region,
    accountId,
    faults,
    invocations,
    register(service, fn, handler, reg = {}) {
      const timeoutSec = reg.timeoutSec ?? 60;
      if (!(timeoutSec > 0))
        throw new RangeError(`Function "${fn}": timeoutSec must be > 0, got ${timeoutSec}`);
      let credentials = reg.credentials;
      if (!credentials) {
        const generated = generatedCredentials();
        opts.accounts.add(generated);
        generatedKeys.push(generated.accessKeyId);
        credentials = generated;
      }
      const byName = functions.get(service) ?? new Map<string, FcFunction>();
      byName.set(fn, {
        service,
        fn,
        handler,
        timeoutSec,
        credentials,
        region: reg.region ?? region,
        memorySize: reg.memorySize ?? 512,
        handlerName: reg.handlerName ?? 'index.handler',
      });
      functions.set(service, byName);
    },
    invokeAsync(service, fn, event) {
      const f = functions.get(service)?.get(fn);
      if (!f)
        throw new Error(`FC emulator: no function "${service ? `${service}/` : ''}${fn}" is registered`);
      const requestId = randomUUID();
      queue.enqueue({ run: async (n) => (await attempt(f, event, requestId, 'async', n)).status === 'ok' });
      return requestId;
    },
    idle: () => queue.idle(),
    close: async () => {
      queue.close();
      for (const id of generatedKeys) opts.accounts.remove(id);
      await server.close();
    },
  };
}
