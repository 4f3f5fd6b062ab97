/**
 * Function Compute emulator against the real @alicloud/fc2 client over HTTP.
 *
 * fc2 is CommonJS with `module.exports = Client`, so the default import is the class both under Node's
 * ESM loader and vitest; its types are in types/fc2.d.ts.
 */
import FC from '@alicloud/fc2';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Accounts, DEMO_ACCESS_KEY_ID, DEMO_ACCESS_KEY_SECRET } from '../../emulator/core/accounts.js';
import { Faults } from '../../emulator/core/faults.js';
import { sleep } from '../../emulator/core/http.js';
import { type FcEmulator, startFcEmulator } from '../../emulator/fc/index.js';
import type { FcContext } from '../../shared/cloud/fc-context.js';

/** Function Compute "trigger event formats", timer trigger (wire-samples/fc-timer-event.json). */
const TIMER_EVENT =
  '{"triggerTime":"2018-02-09T05:49:00Z","triggerName":"timer-trigger","payload":"awesome-fc"}';

/** What fc2 throws for a non-2xx answer. */
interface FcSdkError extends Error {
  code?: string;
}

interface Creds {
  accessKeyID: string;
  accessKeySecret: string;
  securityToken?: string;
}

const DEMO: Creds = { accessKeyID: DEMO_ACCESS_KEY_ID, accessKeySecret: DEMO_ACCESS_KEY_SECRET };
const STS: Creds = { accessKeyID: 'STS.EMUFC', accessKeySecret: 'sts-secret', securityToken: 'sts-token' };
const LIMITED: Creds = { accessKeyID: 'EMULIMITED', accessKeySecret: 'limited-secret' };

let accounts: Accounts;
let faults: Faults;
let emu: FcEmulator;

function client(creds: Creds = DEMO, timeout?: number): FC {
  return new FC(accounts.accountId, { ...creds, region: 'cn-hangzhou', endpoint: emu.url, timeout });
}

async function failure(p: Promise<unknown>): Promise<FcSdkError> {
  try {
    await p;
  } catch (err) {
    return err as FcSdkError;
  }
  throw new Error('expected the call to fail');
}

const echo = async (event: Buffer | string) => event;

beforeAll(async () => {
  accounts = new Accounts();
  accounts.add({ accessKeyId: DEMO.accessKeyID, accessKeySecret: DEMO.accessKeySecret });
  accounts.add({
    accessKeyId: STS.accessKeyID,
    accessKeySecret: STS.accessKeySecret,
    securityToken: 'sts-token',
  });
  accounts.add({
    accessKeyId: LIMITED.accessKeyID,
    accessKeySecret: LIMITED.accessKeySecret,
    policy: {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: 'fc:InvokeFunction', Resource: 'acs:fc:*:*:services/public/functions/*' },
      ],
    },
  });
  faults = new Faults(3);
  emu = await startFcEmulator({
    accounts,
    faults,
    asyncConcurrency: 2,
    asyncMaxRetries: 2,
    asyncRetryDelayMs: 5,
  });
  emu.register('guard', 'echo', echo);
  emu.register('public', 'echo', echo);
});

afterAll(async () => {
  await emu.close();
});

describe('sync invocation', () => {
  it('runs the handler with the event as a Buffer and a Function Compute context', async () => {
    // Prepare
    let seen: { event: unknown; context?: FcContext } = { event: undefined };
    emu.register(
      'guard',
      'auditor',
      async (event, context) => {
        seen = { event, context };
        return 'done';
      },
      { timeoutSec: 30, memorySize: 1024 },
    );
    const before = Date.now();

    // Act
    const res = await client().invokeFunction('guard', 'auditor', TIMER_EVENT, { 'x-fc-log-type': 'Tail' });

    // Assess
    expect(res.data).toBe('done');
    expect(Buffer.isBuffer(seen.event)).toBe(true);
    expect(JSON.parse(String(seen.event))).toMatchObject({ triggerName: 'timer-trigger' });
    const ctx = seen.context;
    expect(ctx?.requestId).toBe(res.headers['x-fc-request-id']);
    expect(ctx?.function).toMatchObject({
      name: 'auditor',
      timeout: 30,
      memory: 1024,
      handler: 'index.handler',
    });
    expect(ctx?.service?.name).toBe('guard');
    expect(ctx?.region).toBe('cn-hangzhou');
    expect(ctx?.accountId).toBe(accounts.accountId);
    expect(ctx?.deadlineMs).toBeGreaterThanOrEqual(before + 30_000);
    expect(ctx?.credentials.accessKeyId).toMatch(/^STS\./);
    expect(accounts.get(ctx?.credentials.accessKeyId ?? '')?.securityToken).toBe(
      ctx?.credentials.securityToken,
    );
    const log = Buffer.from(String(res.headers['x-fc-log-result']), 'base64').toString();
    expect(log).toContain(`FC Invoke Start RequestId: ${ctx?.requestId}`);
  });

  it('passes the configured credentials to the context', async () => {
    // Prepare
    const credentials = { accessKeyId: 'STS.FIXED', accessKeySecret: 's', securityToken: 't' };
    emu.register('guard', 'whoami', async (_e, ctx) => ctx.credentials, { credentials });

    // Act
    const res = await client().invokeFunction('guard', 'whoami', '');

    // Assess
    expect(JSON.parse(String(res.data))).toEqual(credentials);
  });

  it('returns an object result as JSON text and a Buffer result as bytes', async () => {
    // Prepare
    emu.register('guard', 'summary', async () => ({ buckets: 3, remediated: 1 }));
    emu.register('guard', 'bytes', async () => Buffer.from([0, 1, 2, 255]));

    // Act
    const summary = await client().invokeFunction('guard', 'summary', TIMER_EVENT);
    const bytes = await client().invokeFunction('guard', 'bytes', '', {}, undefined, { rawBuf: true });

    // Assess
    expect(typeof summary.data).toBe('string');
    expect(JSON.parse(String(summary.data))).toEqual({ buckets: 3, remediated: 1 });
    expect(bytes.data).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  it('reports a thrown error as UnhandledInvocationError with HTTP 200', async () => {
    // Prepare
    emu.register('guard', 'broken', async () => {
      throw new TypeError('policy is not an object');
    });

    // Act
    const res = await client().invokeFunction('guard', 'broken', TIMER_EVENT);

    // Assess
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    const body = res.data as { errorMessage: string; errorType: string; stackTrace: string[] };
    expect(body.errorMessage).toBe('policy is not an object');
    expect(body.errorType).toBe('TypeError');
    expect(body.stackTrace[0]).toBe('TypeError: policy is not an object');
    const record = emu.invocations.find((r) => r.requestId === res.headers['x-fc-request-id']);
    expect(record).toMatchObject({ type: 'sync', status: 'error', attempt: 1 });
  });

  it('reports a run past the function timeout', async () => {
    // Prepare
    emu.register('guard', 'slow', () => sleep(300).then(() => 'late'), { timeoutSec: 0.05 });

    // Act
    const res = await client().invokeFunction('guard', 'slow', '');

    // Assess
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect((res.data as { errorMessage: string }).errorMessage).toMatch(
      /^Function timed out after 0\.05 seconds/,
    );
    const record = emu.invocations.find((r) => r.requestId === res.headers['x-fc-request-id']);
    expect(record?.status).toBe('timeout');
  });

  it('reaches an FC 3.0 function through the 2023-03-30 path', async () => {
    // Prepare
    emu.register('', 'fc3-echo', echo);
    const c = client();
    c.version = '2023-03-30';

    // Act
    const res = await c.post('/functions/fc3-echo/invocations', 'ping', { 'x-fc-invocation-type': 'Sync' });

    // Assess
    expect(res.data).toBe('ping');
  });
});

describe('async invocation', () => {
  it('answers 202 at once and runs the handler later', async () => {
    // Prepare
    const events: string[] = [];
    emu.register('guard', 'collector', async (event) => {
      await sleep(20);
      events.push(String(event));
    });

    // Act
    const res = await client().invokeFunction('guard', 'collector', 'hello', {
      'x-fc-invocation-type': 'Async',
    });
    const ranBeforeIdle = events.length;
    await emu.idle();

    // Assess
    expect(res.data).toBe('');
    expect(res.headers['x-fc-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(ranBeforeIdle).toBe(0);
    expect(events).toEqual(['hello']);
    const record = emu.invocations.find((r) => r.requestId === res.headers['x-fc-request-id']);
    expect(record).toMatchObject({ type: 'async', status: 'ok', attempt: 1, fn: 'collector' });
  });

  it('retries a failed async invocation', async () => {
    // Prepare
    let calls = 0;
    emu.register('guard', 'flaky', async () => {
      calls += 1;
      if (calls === 1) throw new Error('transient');
      return 'ok';
    });

    // Act
    const res = await client().invokeFunction('guard', 'flaky', '', { 'X-Fc-Invocation-Type': 'Async' });
    await emu.idle();

    // Assess
    const attempts = emu.invocations.filter((r) => r.requestId === res.headers['x-fc-request-id']);
    expect(attempts.map((r) => [r.attempt, r.status])).toEqual([
      [1, 'error'],
      [2, 'ok'],
    ]);
  });

  it('gives up after asyncMaxRetries retries', async () => {
    // Prepare
    emu.register('guard', 'always-fails', async () => {
      throw new Error('permanent');
    });

    // Act
    const res = await client().invokeFunction('guard', 'always-fails', '', {
      'x-fc-invocation-type': 'Async',
    });
    await emu.idle();

    // Assess
    const attempts = emu.invocations.filter((r) => r.requestId === res.headers['x-fc-request-id']);
    expect(attempts.map((r) => r.attempt)).toEqual([1, 2, 3]);
    expect(attempts.every((r) => r.status === 'error' && r.errorMessage === 'permanent')).toBe(true);
  });

  it('runs at most asyncConcurrency invocations at once', async () => {
    // Prepare
    let running = 0;
    let peak = 0;
    emu.register('guard', 'busy', async () => {
      running += 1;
      peak = Math.max(peak, running);
      await sleep(25);
      running -= 1;
    });
    const c = client();

    // Act
    await Promise.all(
      [1, 2, 3, 4, 5].map(() => c.invokeFunction('guard', 'busy', '', { 'x-fc-invocation-type': 'Async' })),
    );
    await emu.idle();

    // Assess
    expect(peak).toBe(2);
    expect(emu.invocations.filter((r) => r.fn === 'busy' && r.status === 'ok')).toHaveLength(5);
  });
});

describe('errors', () => {
  it('rejects a wrong secret with SignatureNotMatch 403', async () => {
    // Act
    const err = await failure(
      client({ ...DEMO, accessKeySecret: 'wrong' }).invokeFunction('guard', 'echo', 'x'),
    );

    // Assess
    expect(err.name).toBe('FCSignatureNotMatchError');
    expect(err.code).toBe('SignatureNotMatch');
    expect(err.message).toMatch(
      /^POST \/services\/guard\/functions\/echo\/invocations failed with 403\. requestid: [0-9a-f-]{36}, message: The request signature we calculated/,
    );
  });

  it('rejects an unknown access key id', async () => {
    // Act
    const err = await failure(
      client({ accessKeyID: 'NOPE', accessKeySecret: 'x' }).invokeFunction('guard', 'echo', 'x'),
    );

    // Assess
    expect(err.name).toBe('FCInvalidAccessKeyIDError');
  });

  it('answers 404 for an unknown function or service', async () => {
    // Act
    const noFunction = await failure(client().invokeFunction('guard', 'missing', 'x'));
    const noService = await failure(client().invokeFunction('nowhere', 'echo', 'x'));

    // Assess
    expect(noFunction.code).toBe('FunctionNotFound');
    expect(noFunction.message).toContain('failed with 404');
    expect(noService.code).toBe('ServiceNotFound');
  });

  it('accepts STS credentials only with their token', async () => {
    // Act
    const ok = await client(STS).invokeFunction('guard', 'echo', 'sts');
    const wrong = await failure(
      client({ ...STS, securityToken: 'other' }).invokeFunction('guard', 'echo', 'x'),
    );

    // Assess
    expect(ok.data).toBe('sts');
    expect(wrong.code).toBe('InvalidSecurityToken');
  });

  it('enforces fc:InvokeFunction in the RAM policy', async () => {
    // Act
    const allowed = await client(LIMITED).invokeFunction('public', 'echo', 'x');
    const denied = await failure(client(LIMITED).invokeFunction('guard', 'echo', 'x'));

    // Assess
    expect(allowed.data).toBe('x');
    expect(denied.code).toBe('AccessDenied');
    expect(denied.message).toContain('failed with 403');
  });
});

describe('faults', () => {
  it('throttles with 429 and fails with 5xx', async () => {
    // Prepare
    faults.set('Invoke', { throttleRate: 1, times: 1 });

    // Act
    const throttled = await failure(client().invokeFunction('guard', 'echo', 'x'));
    faults.set('Invoke', { errorRate: 1, times: 1 });
    const failed = await failure(client().invokeFunction('guard', 'echo', 'x'));

    // Assess
    expect(throttled.code).toBe('ResourceThrottled');
    expect(throttled.message).toContain('failed with 429');
    expect(failed.code).toBe('InternalServerError');
    expect(failed.message).toContain('failed with 500');
  });

  it('drops the connection and adds latency', async () => {
    // Prepare
    faults.set('Invoke', { dropRate: 1, times: 1 });

    // Act
    const dropped = await failure(client().invokeFunction('guard', 'echo', 'x'));
    faults.set('Invoke', { latencyMs: 120, times: 2 });
    const started = Date.now();
    await client().invokeFunction('guard', 'echo', 'x');
    const elapsed = Date.now() - started;
    const timedOut = await failure(client(DEMO, 40).invokeFunction('guard', 'echo', 'x'));

    // Assess
    expect(dropped.code).toBe('ECONNRESET');
    expect(elapsed).toBeGreaterThanOrEqual(110);
    expect(timedOut.name).toBe('RequestTimeoutError');
  });
});
