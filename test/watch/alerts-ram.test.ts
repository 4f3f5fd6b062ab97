/**
 * The watch's alerts go through the audit's alert path (a real webhook receiver on 127.0.0.1), carry the
 * time from the change to compliant, and stay silent for a no-op; and the generated least-privilege RAM
 * policy for bucket-watch is enough for it in the emulators' RAM model (and no more: no ListBuckets).
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { RamPolicy } from '../../emulator/core/accounts.js';
import type { WebhookBody } from '../../shared/alerts/webhook.js';
import { ramPolicy } from '../../shared/ram/generate.js';
import { watchEvents } from '../../shared/watch/watch.js';
import { apiCall, bucketCreated, payload } from '../fixtures/eventbridge/builders.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

let server: Server;
let webhook: string;
let received: WebhookBody[] = [];
let world: World;

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push(JSON.parse(Buffer.concat(chunks).toString('utf8')) as WebhookBody);
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  webhook = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
beforeEach(async () => {
  received = [];
  world = await startWorld();
});
afterEach(async () => {
  await world.close();
});

const alerting = () => ({
  config: { webhook: { url: webhook }, minSeverity: 'info' as const },
  env: {},
  delivery: { maxAttempts: 1 },
});
const policyText = (remediate: boolean) =>
  `version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: ${remediate} }\n`;

describe('bucket watch alerts', () => {
  it('announces a fix with the time from the change to compliant', async () => {
    // Prepare
    world.emu.oss.state.createBucket('fixed-bucket', 'cn-hangzhou');
    const event = apiCall({
      operation: 'DeleteBucketEncryption',
      bucket: 'fixed-bucket',
      accountId: world.emu.accountId,
    });

    // Act
    const summary = await watchEvents(
      { ...world.runtime, alerts: alerting() },
      {
        policy: policyOf(policyText(true)),
        events: payload(event),
        accountId: world.emu.accountId,
        dryRun: false,
      },
    );

    // Assess
    expect(summary.alerts).toEqual({ sent: 1, failed: 0 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      kind: 'run-summary',
      severity: 'info',
      title: 'fixed-bucket (cn-hangzhou): encryption restored after DeleteBucketEncryption',
      data: { trigger: 'bucket-watch', status: 'remediated', actor: 'ram-user Alice' },
    });
    expect(received[0]?.data.eventToCompliantMs).toBe(summary.results[0]?.eventToCompliantMs);
    expect(received[0]?.text).toContain('compliant');
  });

  it('raises a critical alert when the policy only reports, and says nothing for a compliant bucket', async () => {
    // Prepare
    world.emu.oss.state.createBucket('open-bucket', 'cn-hangzhou');
    world.emu.oss.state.createBucket('fine-bucket', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    const events = [
      bucketCreated({ bucket: 'open-bucket', accountId: world.emu.accountId }),
      apiCall({ operation: 'PutBucketEncryption', bucket: 'fine-bucket', accountId: world.emu.accountId }),
    ];

    // Act
    const summary = await watchEvents(
      { ...world.runtime, alerts: alerting() },
      {
        policy: policyOf(policyText(false)),
        events: payload(...events),
        accountId: world.emu.accountId,
        dryRun: false,
      },
    );

    // Assess
    expect(summary.byStatus).toEqual({ noncompliant: 1, compliant: 1 });
    expect(received).toHaveLength(1);
    expect(received[0]).toMatchObject({
      kind: 'new-problem',
      severity: 'critical',
      title: 'open-bucket (cn-hangzhou) is noncompliant after PutBucket',
    });
  });
});

describe('bucket watch RAM policy', () => {
  it('is enough for the watch to fix a bucket, and grants no ListBuckets', async () => {
    // Prepare
    world.emu.oss.state.createBucket('least-bucket', 'cn-hangzhou');
    const policy = policyOf(policyText(true));
    const doc = ramPolicy({ policy: policy.policy }, ['bucket-watch']);
    world.emu.accounts.add({
      accessKeyId: 'EMU-WATCH-LEAST',
      accessKeySecret: 'watch-least-secret',
      policy: doc as unknown as RamPolicy,
    });
    const runtime = world.runtimeFor({
      accessKeyId: 'EMU-WATCH-LEAST',
      accessKeySecret: 'watch-least-secret',
    });
    const event = bucketCreated({ bucket: 'least-bucket', accountId: world.emu.accountId });

    // Act
    const summary = await watchEvents(runtime, {
      policy,
      events: payload(event),
      accountId: world.emu.accountId,
      dryRun: false,
    });
    const listed = await runtime.oss.listBucketsPage({}).catch((e: { code?: string }) => e.code);

    // Assess
    expect(JSON.stringify(doc)).not.toContain('oss:ListBuckets');
    expect(summary.results[0]).toMatchObject({ status: 'remediated' });
    expect(listed).toBe('AccessDenied');
  });
});
