/**
 * The upload guard takes OSS object events routed through EventBridge as well as the OSS trigger's
 * `{"events":[...]}`: one CloudEvent, a batch of them, or the bare record (RawData schema). End to end,
 * the real @alicloud/fc2 client invokes the upload-guard function with an EventBridge event.
 */
import type FC from '@alicloud/fc2';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { type Emulators, startEmulators } from '../../emulator/index.js';
import { handler } from '../../functions/upload-guard/index.js';
import { parseOssEvent } from '../../shared/objects/event.js';
import type { GuardSummary } from '../../shared/objects/types.js';
import { DOC, objectCreated, payload } from '../fixtures/eventbridge/builders.js';
import { fcClient } from '../helpers/function-env.js';

const ACCOUNT = '1234567890123456';

describe('upload guard event parsing, EventBridge envelope', () => {
  it('reads the record inside the documented EventBridge OSS event (its bucket name is masked)', () => {
    // Act
    const parsed = parseOssEvent(Buffer.from(JSON.stringify(DOC.ossObjectEvent)));

    // Assess: the parser reached data.oss; the documentation masks the bucket name as "******".
    expect(parsed.total).toBe(1);
    expect(parsed.skipped).toEqual([
      expect.objectContaining({
        kind: 'invalid',
        index: 0,
        key: 'input/***********.csv',
        reason: 'events[0]: oss.bucket.name "******" is not a valid bucket name',
      }),
    ]);
  });

  it('reads one event, a batch, and the bare record of the RawData schema', () => {
    // Prepare
    const one = objectCreated({ bucket: 'uploads', key: 'a/b.csv', accountId: ACCOUNT, size: 5 });
    const two = objectCreated({ bucket: 'uploads', key: 'c.csv', accountId: ACCOUNT });

    // Act
    const single = parseOssEvent(payload(one));
    const batch = parseOssEvent(payload(one, two));
    const raw = parseOssEvent(JSON.stringify(one.data));

    // Assess
    expect(single.records).toEqual([
      expect.objectContaining({
        index: 0,
        bucket: 'uploads',
        key: 'a/b.csv',
        region: 'cn-hangzhou',
        size: 5,
      }),
    ]);
    expect(batch.records.map((r) => [r.index, r.key])).toEqual([
      [0, 'a/b.csv'],
      [1, 'c.csv'],
    ]);
    expect(raw.records.map((r) => r.operation)).toEqual(['PutObject']);
  });

  it("skips another service's events and malformed envelopes in a batch, keeping the OSS records", () => {
    // Prepare
    const good = objectCreated({ bucket: 'uploads', key: 'ok.txt', accountId: ACCOUNT });
    const noData = { ...good, id: 'x', data: undefined };

    // Act
    const parsed = parseOssEvent(payload(DOC.overview, good, noData));

    // Assess
    expect(parsed.total).toBe(3);
    expect(parsed.records.map((r) => r.key)).toEqual(['ok.txt']);
    expect(parsed.skipped.map((s) => s.reason)).toEqual([
      'event[0]: source "acs:aliyuncvc" is not acs.oss',
      'event[2]: data is missing',
    ]);
  });

  it('still refuses a list of bare records, as before', () => {
    // Prepare
    const record = (objectCreated({ bucket: 'uploads', key: 'k', accountId: ACCOUNT }) as { data: unknown })
      .data;

    // Act
    const parsed = parseOssEvent(JSON.stringify([record]));

    // Assess
    expect(parsed.skipped[0]?.reason).toContain('event must be a JSON object');
  });
});

describe('upload-guard function, EventBridge trigger', () => {
  let emu: Emulators;
  let fc: FC;
  beforeAll(async () => {
    emu = await startEmulators({ seed: 'empty' });
    emu.fc.register('oss-sse-guard', 'upload-guard', handler, { timeoutSec: 30 });
    fc = fcClient(emu);
    emu.oss.state.createBucket('eb-uploads', 'cn-hangzhou');
  });
  afterAll(async () => {
    vi.unstubAllEnvs();
    await emu.close();
  });

  it('encrypts a new object when EventBridge delivers its event', async () => {
    // Prepare
    vi.stubEnv('OSS_SSE_GUARD_OSS_ENDPOINT', emu.oss.url);
    vi.stubEnv('OSS_SSE_GUARD_KMS_ENDPOINT', emu.kms.url);
    vi.stubEnv(
      'OSS_SSE_GUARD_POLICY',
      'version: 1\nobjects:\n  action: encrypt\n  sse: { algorithm: AES256 }\n',
    );
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
    vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', '');
    vi.stubEnv('LOG_LEVEL', 'silent');
    emu.oss.state.putObject('eb-uploads', 'in/report.csv', 'a,b\n1,2\n', { contentType: 'text/csv' });
    const obj = emu.oss.state.getObject('eb-uploads', 'in/report.csv');
    const event = objectCreated({
      bucket: 'eb-uploads',
      key: 'in/report.csv',
      accountId: emu.accountId,
      eTag: obj?.etag.replace(/"/g, ''),
      size: obj?.body.length,
    });

    // Act
    const res = await fc.invokeFunction('oss-sse-guard', 'upload-guard', payload(event).toString());

    // Assess
    expect(res.headers['x-fc-error-type']).toBeUndefined();
    const summary = JSON.parse(String(res.data)) as GuardSummary;
    expect(summary.findings[0]).toMatchObject({ verdict: 'unencrypted', action: { kind: 'encrypted' } });
    expect(emu.oss.state.getObject('eb-uploads', 'in/report.csv')).toMatchObject({
      sse: { algorithm: 'AES256' },
      contentType: 'text/csv',
    });
  });
});
