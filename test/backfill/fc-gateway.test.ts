/**
 * The FC gateway (the only importer of @alicloud/fc2) against the Function Compute emulator: asynchronous
 * invocations on the FC 3.0 path (what fc3 deploys) and the 2016-08-15 service path, STS credentials,
 * errors normalised into `CloudError`, throttling retried.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { fcInvoker } from '../../shared/backfill/invoker.js';
import type { WorkerJob } from '../../shared/backfill/types.js';
import { FcGateway, type FcGatewayOptions } from '../../shared/cloud/fc.js';
import type { CloudError } from '../../shared/errors.js';
import type { OrgJob } from '../../shared/org/fan-out.js';
import { fcOrgInvoker } from '../../shared/org/fan-out-job.js';
import { FAST_RETRY } from '../helpers/world.js';

let emu: Emulators;
const received: Array<{ fn: string; event: string; service?: string }> = [];

function gateway(opts: Partial<FcGatewayOptions> = {}): FcGateway {
  return new FcGateway({
    credentials: emu.credentials,
    accountId: emu.accountId,
    region: 'cn-hangzhou',
    endpoint: emu.fc.url,
    retry: FAST_RETRY,
    ...opts,
  });
}

beforeAll(async () => {
  emu = await startEmulators({ seed: 'empty' });
  emu.fc.register('', 'fc3-worker', async (event, context) => {
    received.push({ fn: context.function.name, event: String(event) });
  });
  emu.fc.register('guard', 'fc2-worker', async (event, context) => {
    received.push({ fn: context.function.name, event: String(event), service: context.service?.name });
  });
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  emu.fc.faults.clear();
  received.length = 0;
});

describe('FcGateway.invokeAsync', () => {
  it('queues the event on the FC 3.0 path and returns the request id', async () => {
    // Act
    const invocation = await gateway().invokeAsync({ functionName: 'fc3-worker' }, '{"n":1}');
    await emu.fc.idle();

    // Assess
    expect(invocation.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(received).toEqual([{ fn: 'fc3-worker', event: '{"n":1}' }]);
    expect(emu.fc.invocations.at(-1)).toMatchObject({ service: '', type: 'async', status: 'ok' });
  });

  it('reaches a function of an FC 2.0 service on the 2016-08-15 path, signed with STS credentials', async () => {
    // Prepare
    const sts = { accessKeyId: 'STS.BACKFILL', accessKeySecret: 'sts-secret', securityToken: 'sts-token' };
    emu.accounts.add(sts);

    // Act
    await gateway({ apiVersion: '2016-08-15', credentials: sts }).invokeAsync(
      { functionName: 'fc2-worker', service: 'guard' },
      'event',
    );
    await emu.fc.idle();

    // Assess
    expect(received).toEqual([{ fn: 'fc2-worker', event: 'event', service: 'guard' }]);
  });

  it('retries throttling and succeeds', async () => {
    // Prepare
    emu.fc.faults.set('Invoke', { throttleRate: 1, times: 2 });
    const before = emu.fc.faults.count('Invoke');

    // Act
    await gateway().invokeAsync({ functionName: 'fc3-worker' }, 'again');
    await emu.fc.idle();

    // Assess
    expect(emu.fc.faults.count('Invoke') - before).toBe(3);
    expect(received).toHaveLength(1);
  });

  it('reports a missing function as a CloudError that is not retried', async () => {
    // Prepare
    const before = emu.fc.faults.count('Invoke');

    // Act
    const err = (await gateway()
      .invokeAsync({ functionName: 'no-such-function' }, '')
      .catch((e: unknown) => e)) as CloudError;

    // Assess
    expect(err).toMatchObject({
      name: 'CloudError',
      code: 'FunctionNotFound',
      status: 404,
      retryable: false,
    });
    expect(err.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(err.message).toMatch(
      /^Function "no-such-function" \(cn-hangzhou\): InvokeFunction \(async\): FunctionNotFound \(404\)/,
    );
    expect(emu.fc.faults.count('Invoke') - before).toBe(1);
  });

  it('reports a denied invocation as AccessDenied, and a lost connection as a retryable network error', async () => {
    // Prepare
    const limited = { accessKeyId: 'EMU-NO-FC', accessKeySecret: 'no-fc-secret' };
    emu.accounts.add({ ...limited, policy: { Version: '1', Statement: [] } });
    emu.fc.faults.set('Invoke', { dropRate: 1 });

    // Act
    const dropped = (await gateway({ retry: { ...FAST_RETRY, maxAttempts: 2 } })
      .invokeAsync({ functionName: 'fc3-worker' }, '')
      .catch((e: unknown) => e)) as CloudError;
    emu.fc.faults.clear();
    const denied = (await gateway({ credentials: limited })
      .invokeAsync({ functionName: 'fc3-worker' }, '')
      .catch((e: unknown) => e)) as CloudError;

    // Assess
    expect(dropped).toMatchObject({ status: -1, retryable: true, attempts: 2 });
    expect(denied).toMatchObject({ code: 'AccessDenied', status: 403, retryable: false });
  });
});

/** An invoker target on a closed port with unknown keys: only a gateway handed over can deliver a job. */
const unreachableTarget = () => ({
  credentials: { accessKeyId: 'unused', accessKeySecret: 'unused' },
  accountId: emu.accountId,
  region: 'cn-hangzhou',
  endpoint: 'http://127.0.0.1:9',
  apiVersion: '2023-03-30' as const,
  functionName: 'fc3-worker',
});

describe('fcInvoker', () => {
  it('dispatches through the FC gateway it is given instead of building one of its own', async () => {
    // Prepare: the invoker's own options point at a closed port with unknown keys, so only the gateway
    // handed over by the composition root can deliver the job.
    const job: WorkerJob = {
      kind: 'oss-sse-guard.backfill-worker',
      runId: 'run-1',
      location: 'oss://reports/audit',
      shardId: 'shard-0',
      seq: 0,
      token: 'tok-1',
    };
    const invoker = fcInvoker({ ...unreachableTarget(), gateway: gateway() });

    // Act
    await invoker.dispatch(job);
    await emu.fc.idle();

    // Assess
    expect(received).toEqual([{ fn: 'fc3-worker', event: JSON.stringify(job) }]);
  });
});

describe('fcOrgInvoker', () => {
  it('dispatches the organization job through the FC gateway it is given instead of building one of its own', async () => {
    // Prepare: as above, the invoker's own target is unreachable, so only the given gateway can deliver.
    const job: OrgJob = { mode: 'org-worker', runId: 'org-run-1', group: 2, seq: 0 };
    const invoker = fcOrgInvoker({ ...unreachableTarget(), gateway: gateway() });

    // Act
    await invoker.dispatch(job);
    await emu.fc.idle();

    // Assess
    expect(received).toEqual([{ fn: 'fc3-worker', event: JSON.stringify(job) }]);
  });
});
