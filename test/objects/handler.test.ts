/**
 * The upload-guard function end to end: the real @alicloud/fc2 client invokes it through the Function
 * Compute emulator with an OSS trigger event; the handler runs with the context's STS credentials against
 * the OSS and KMS emulators, and fails the invocation only for a retryable cloud error.
 */
import type FC from '@alicloud/fc2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Emulators } from '../../emulator/index.js';
import { handler } from '../../functions/upload-guard/index.js';
import type { GuardSummary } from '../../shared/objects/types.js';
import { type GuardEnv, ossEvent, recordFor, startGuardEnv } from '../fixtures/events/builders.js';
import { fcClient, stubFunctionEnv } from '../helpers/function-env.js';

let env: GuardEnv;
let emu: Emulators;
let fc: FC;

const ENCRYPT_POLICY = 'version: 1\nobjects:\n  action: encrypt\n  sse: { algorithm: AES256 }\n';

beforeAll(async () => {
  env = await startGuardEnv();
  emu = env.emu;
  emu.fc.register('oss-sse-guard', 'upload-guard', handler, { timeoutSec: 30 });
  fc = fcClient(emu);
  emu.oss.state.createBucket('fc-guard', 'cn-hangzhou');
});

afterAll(async () => {
  await env.close();
});

afterEach(() => {
  vi.unstubAllEnvs();
  emu.oss.faults.clear();
});

/** The error body Function Compute returns for a failed invocation (fc2 parses it as JSON). */
const errorMessage = (data: unknown) => (data as { errorMessage?: string }).errorMessage;

function stubEnv(policy = ENCRYPT_POLICY) {
  stubFunctionEnv(emu, policy);
}

describe('upload-guard function', () => {
  it('encrypts a new object when invoked through Function Compute with an OSS event', async () => {
    // Prepare
    stubEnv();
    emu.oss.state.putObject('fc-guard', 'inbox/new file.pdf', 'pdf bytes', {
      contentType: 'application/pdf',
    });
    const event = ossEvent(recordFor(emu, 'fc-guard', 'inbox/new file.pdf'));
    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'upload-guard', event.toString());
    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const summary = JSON.parse(String(res.data)) as GuardSummary;
    expect(summary).toMatchObject({ records: 1, retryableFailure: false });
    expect(summary.findings[0]).toMatchObject({ verdict: 'unencrypted', action: { kind: 'encrypted' } });
    expect(emu.oss.state.getObject('fc-guard', 'inbox/new file.pdf')).toMatchObject({
      sse: { algorithm: 'AES256' },
      contentType: 'application/pdf',
    });
    expect(emu.fc.invocations.at(-1)).toMatchObject({ fn: 'upload-guard', status: 'ok' });
  });

  it('succeeds on a malformed event, counting it, so Function Compute does not retry it', async () => {
    // Prepare
    stubEnv();
    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'upload-guard', '{"events": "not a list"}');
    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const summary = JSON.parse(String(res.data)) as GuardSummary;
    expect(summary).toMatchObject({ records: 0, findings: [], retryableFailure: false });
    expect(summary.skipped).toEqual([
      { kind: 'invalid', reason: 'event "events" must be a list, got a string' },
    ]);
  });

  it('fails the invocation when OSS keeps throttling, so Function Compute retries it', async () => {
    // Prepare
    stubEnv();
    emu.oss.state.putObject('fc-guard', 'busy.bin', 'x');
    emu.oss.faults.set('HeadObject', { throttleRate: 1 });
    // Act
    const res = await fc.invokeFunction(
      'oss-sse-guard',
      'upload-guard',
      ossEvent(recordFor(emu, 'fc-guard', 'busy.bin')).toString(),
    );
    // Assess
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(errorMessage(res.data)).toContain('retryable cloud error on fc-guard/busy.bin');
    expect(emu.oss.state.getObject('fc-guard', 'busy.bin')?.sse).toBeUndefined();
  });

  it('fails the invocation when the policy is invalid, changing nothing', async () => {
    // Prepare
    stubEnv('version: 1\nobjects:\n  action: shred\n');
    emu.oss.state.putObject('fc-guard', 'kept.bin', 'x');
    // Act
    const res = await fc.invokeFunction(
      'oss-sse-guard',
      'upload-guard',
      ossEvent(recordFor(emu, 'fc-guard', 'kept.bin')).toString(),
    );
    // Assess
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect(errorMessage(res.data)).toContain('objects.action: must be alert, encrypt or ignore');
    expect(emu.oss.state.getObject('fc-guard', 'kept.bin')?.sse).toBeUndefined();
  });

  it("skips a record naming another account's bucket, checking the FC context's account", async () => {
    // Prepare
    stubEnv();
    emu.oss.state.putObject('fc-guard', 'inbox/foreign.txt', 'x', { sse: null });
    const event = JSON.parse(ossEvent(recordFor(emu, 'fc-guard', 'inbox/foreign.txt')).toString());
    event.events[0].oss.bucket.ownerIdentity = '999999999';

    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'upload-guard', JSON.stringify(event));

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const summary = JSON.parse(String(res.data)) as GuardSummary;
    expect(summary.findings).toEqual([]);
    expect(summary.skipped).toEqual([
      expect.objectContaining({
        kind: 'foreign-account',
        reason: expect.stringContaining('account 999999999'),
      }),
    ]);
    expect(emu.oss.state.getObject('fc-guard', 'inbox/foreign.txt')?.sse).toBeUndefined();
  });
});
