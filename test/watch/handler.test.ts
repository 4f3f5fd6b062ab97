/**
 * The bucket-watch function end to end: the real @alicloud/fc2 client invokes it through the Function
 * Compute emulator with EventBridge events built from the documented samples; the handler runs with the
 * context's STS credentials against the OSS and KMS emulators.
 */
import type FC from '@alicloud/fc2';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { handler } from '../../functions/bucket-watch/index.js';
import type { WatchSummary } from '../../shared/watch/types.js';
import { apiCall, bucketCreated, DOC, payload, roleIdentity } from '../fixtures/eventbridge/builders.js';
import { fcClient } from '../helpers/function-env.js';

/** The function role's session: its key id is what ActionTrail records for the function's own calls. */
const ROLE = {
  accessKeyId: 'STS.WATCHROLE0001',
  accessKeySecret: 'watch-role-secret',
  securityToken: 'watch-token',
};
const POLICY = 'version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\n';

let emu: Emulators;
let fc: FC;

beforeAll(async () => {
  emu = await startEmulators({ seed: 'empty' });
  emu.accounts.add({ ...ROLE });
  emu.fc.register('oss-sse-guard', 'bucket-watch', handler, { timeoutSec: 30, credentials: ROLE });
  fc = fcClient(emu);
});
afterAll(async () => {
  await emu.close();
});
afterEach(() => {
  vi.unstubAllEnvs();
  emu.oss.faults.clear();
});

function stubEnv(policy = POLICY) {
  vi.stubEnv('OSS_SSE_GUARD_OSS_ENDPOINT', emu.oss.url);
  vi.stubEnv('OSS_SSE_GUARD_KMS_ENDPOINT', emu.kms.url);
  vi.stubEnv('OSS_SSE_GUARD_POLICY', policy);
  // The function must use its context's STS credentials, never these.
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', '');
  vi.stubEnv('LOG_LEVEL', 'silent');
}

const invoke = (event: Buffer | string) =>
  fc.invokeFunction('oss-sse-guard', 'bucket-watch', event.toString());
const summaryOf = (res: { data: unknown }) => JSON.parse(String(res.data)) as WatchSummary;
const puts = () => emu.oss.faults.count('PutBucketEncryption');

describe('bucket-watch function', () => {
  it('restores a deleted encryption rule when EventBridge invokes it', async () => {
    // Prepare
    stubEnv();
    emu.oss.state.createBucket('fc-watched', 'cn-hangzhou');
    const event = apiCall({
      operation: 'DeleteBucketEncryption',
      bucket: 'fc-watched',
      accountId: emu.accountId,
    });

    // Act
    const res = await invoke(payload(event));

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const summary = summaryOf(res);
    expect(summary.results[0]).toMatchObject({ bucket: 'fc-watched', status: 'remediated', changed: true });
    expect(summary.results[0]?.eventToCompliantMs).toBeGreaterThanOrEqual(0);
    expect(emu.oss.state.getBucket('fc-watched')?.encryption).toEqual({ algorithm: 'AES256' });
    expect(emu.fc.invocations.at(-1)).toMatchObject({ fn: 'bucket-watch', status: 'ok' });
  });

  it('makes one change for five concurrent invocations about one bucket', async () => {
    // Prepare
    stubEnv();
    emu.oss.state.createBucket('fc-burst', 'cn-hangzhou');
    emu.oss.faults.set('GetBucketEncryption', { latencyMs: 30 });
    const before = puts();
    const events = [0, 1, 2, 3, 4].map(() =>
      apiCall({ operation: 'DeleteBucketEncryption', bucket: 'fc-burst', accountId: emu.accountId }),
    );

    // Act
    const responses = await Promise.all(events.map((e) => invoke(payload(e))));

    // Assess
    expect(puts() - before).toBe(1);
    const results = responses.flatMap((r) => summaryOf(r).results);
    expect(results.filter((r) => r.changed)).toHaveLength(1);
    // The invocations overlapped in this instance: the later ones joined the queued follow-up audit.
    expect(results.filter((r) => r.coalesced).length).toBeGreaterThan(0);
    expect(responses.every((r) => r.headers['x-fc-error-type'] === undefined)).toBe(true);
  });

  it("ends the echo of its own PutBucketEncryption in 'compliant, nothing to do'", async () => {
    // Prepare
    stubEnv();
    emu.oss.state.createBucket('fc-echo', 'cn-hangzhou');
    await invoke(payload(bucketCreated({ bucket: 'fc-echo', accountId: emu.accountId })));
    const before = puts();
    const echo = apiCall({
      operation: 'PutBucketEncryption',
      bucket: 'fc-echo',
      accountId: emu.accountId,
      identity: roleIdentity(ROLE.accessKeyId, emu.accountId),
    });

    // Act
    const res = await invoke(payload(echo));

    // Assess
    expect(puts()).toBe(before);
    expect(summaryOf(res).results[0]).toMatchObject({ status: 'compliant', changed: false, ownChange: true });
  });

  it('succeeds on malformed and foreign events, counting them, so they are not retried', async () => {
    // Prepare
    stubEnv();
    const other = apiCall({
      operation: 'DeleteBucketEncryption',
      bucket: 'fc-watched',
      accountId: '9999999999999999',
    });

    // Act
    const bad = await invoke('{"id": 1');
    const foreign = await invoke(payload(DOC.overview, other));

    // Assess
    expect(bad.headers['x-fc-error-type']).toBeUndefined();
    expect(summaryOf(bad).ignored).toEqual([
      { kind: 'malformed', reason: expect.stringContaining('event is not JSON') },
    ]);
    expect(summaryOf(foreign).ignoredByKind).toMatchObject({ 'foreign-service': 1, 'foreign-account': 1 });
    expect(summaryOf(foreign).results).toEqual([]);
  });

  it('fails the invocation on an invalid policy, changing nothing', async () => {
    // Prepare
    stubEnv('version: 1\ndefaults: { sse: { algorithm: ROT13 } }\n');
    emu.oss.state.createBucket('fc-untouched', 'cn-hangzhou');
    const before = puts();

    // Act
    const res = await invoke(payload(bucketCreated({ bucket: 'fc-untouched', accountId: emu.accountId })));

    // Assess
    expect(res.headers['x-fc-error-type']).toBe('UnhandledInvocationError');
    expect((res.data as { errorMessage?: string }).errorMessage).toContain('defaults.sse.algorithm');
    expect(puts()).toBe(before);
  });
});
