/**
 * Parsing OSS trigger events, pure: the Function Compute documentation's sample, every creation event
 * name, and a corpus of malformed events (test/fixtures/events/malformed.json) that must each give a
 * clear reason and cause no cloud call at all.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import type { ObjectGateway } from '../../shared/cloud/oss-objects.js';
import { silentLogger } from '../../shared/log.js';
import { CREATION_OPERATIONS, parseOssEvent } from '../../shared/objects/event.js';
import { guardObjects } from '../../shared/objects/guard.js';
import { policySchema } from '../../shared/policy/schema.js';
import { DOC_SAMPLE_TEXT, ossEvent } from '../fixtures/events/builders.js';

interface MalformedCase {
  name: string;
  text?: string;
  event?: unknown;
  reason: string;
}

const corpus = JSON.parse(
  readFileSync(new URL('../fixtures/events/malformed.json', import.meta.url), 'utf8'),
) as {
  cases: MalformedCase[];
};
const payload = (c: MalformedCase) => c.text ?? JSON.stringify(c.event);

/** A gateway that fails the test on any use: malformed input must never reach OSS or KMS. */
const ossCalled = () => Promise.reject(new Error('OSS was called for a malformed event'));
const untouchable: ObjectGateway = {
  objects: () => ({ head: ossCalled, getTags: ossCalled, bucketRegion: ossCalled, copyInPlace: ossCalled }),
};
const kms = { describeKey: () => Promise.reject(new Error('KMS was called for a malformed event')) };

describe('OSS event parsing', () => {
  it('parses the Function Compute documentation sample event', () => {
    // Act
    const parsed = parseOssEvent(Buffer.from(DOC_SAMPLE_TEXT));
    // Assess
    expect(parsed).toEqual({
      total: 1,
      skipped: [],
      records: [
        {
          index: 0,
          eventName: 'ObjectCreated:PutObject',
          operation: 'PutObject',
          bucket: 'testbucket',
          key: 'source/a.png',
          region: 'cn-hangzhou',
          size: 122539,
          eTag: '688A7BF4F233DC9C88A80BF985AB****',
          requestId: '58F9FF2D3DF792092E12044C',
          eventTime: '2022-08-13T06:45:43.000Z',
          // From oss.bucket.arn; the masked ownerIdentity (164901546557****) is not an account id.
          accounts: ['123456789'],
        },
      ],
    });
  });

  it.each(CREATION_OPERATIONS)(
    'accepts ObjectCreated:%s, also with the oss: prefix EventBridge writes',
    (op) => {
      // Act
      const parsed = parseOssEvent(
        ossEvent(
          { bucket: 'b-1', key: 'k', eventName: `ObjectCreated:${op}` },
          { bucket: 'b-1', key: 'k', eventName: `oss:ObjectCreated:${op}` },
        ),
      );
      // Assess
      expect(parsed.records.map((r) => [r.operation, r.eventName])).toEqual([
        [op, `ObjectCreated:${op}`],
        [op, `ObjectCreated:${op}`],
      ]);
    },
  );

  it('keeps the key exactly as the event carries it, with no decoding', () => {
    // Act
    const parsed = parseOssEvent(ossEvent({ bucket: 'b-1', key: 'a%2Fb+c/中 文.txt' }));
    // Assess
    expect(parsed.records[0]?.key).toBe('a%2Fb+c/中 文.txt');
  });

  it('handles each record on its own: a bad one is skipped and the good ones kept', () => {
    // Prepare
    const good = JSON.parse(ossEvent({ bucket: 'b-1', key: 'ok.txt' }).toString()).events[0];
    // Act
    const parsed = parseOssEvent(
      JSON.stringify({ events: [good, { eventName: 'ObjectCreated:PutObject' }, good] }),
    );
    // Assess
    expect(parsed.total).toBe(3);
    expect(parsed.records.map((r) => r.index)).toEqual([0, 2]);
    expect(parsed.skipped).toEqual([
      {
        kind: 'invalid',
        index: 1,
        eventName: 'ObjectCreated:PutObject',
        reason: 'events[1]: oss is missing',
      },
    ]);
  });

  it(`has a corpus of at least 30 malformed events (${corpus.cases.length})`, () => {
    expect(corpus.cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(corpus.cases.map((c) => [c.name, c] as const))('skips an event with %s, saying why', (_name, c) => {
    // Act
    const parsed = parseOssEvent(Buffer.from(payload(c)));
    // Assess
    expect(parsed.records).toEqual([]);
    expect(parsed.skipped).toHaveLength(1);
    expect(parsed.skipped[0]?.reason).toContain(c.reason);
  });

  it('runs the whole malformed corpus through the guard without a cloud call or an exception', async () => {
    // Prepare
    const policy = policySchema.parse({ version: 1, objects: { action: 'encrypt' } });
    const deps = { oss: untouchable, kms, logger: silentLogger() };
    // Act
    const summaries = await Promise.all(
      corpus.cases.map((c) => guardObjects(deps, { policy, events: payload(c) })),
    );
    // Assess
    for (const s of summaries) {
      expect(s.findings).toEqual([]);
      expect(s.retryableFailure).toBe(false);
      expect(s.skipped).toHaveLength(1);
    }
  });
});
