/**
 * Reports end to end against the emulators: drift across three runs, reports stored in and read back
 * from OSS (encrypted, dated layout, manifest), undo restoring exactly the previous configurations, and
 * alerts received by a real local HTTP server with valid signatures, de-duplicated across runs.
 */
import { createHmac } from 'node:crypto';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { publishRun } from '../../shared/audit/publish-run.js';
import { runAudit } from '../../shared/audit/run.js';
import { undoRun } from '../../shared/audit/undo.js';
import { verifyManifest } from '../../shared/report/manifest.js';
import { LocalStore, OssStore } from '../../shared/report/store.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

let world: World | undefined;
let server: http.Server | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
  if (server) await new Promise((r) => server?.close(r));
  server = undefined;
});

const REMEDIATE = policyOf('version: 1\ndefaults: { remediate: true }\n');
const REPORT_ONLY = policyOf('version: 1\n');
const noSleep = { sleep: async () => {}, random: () => 0 };

describe('drift', () => {
  it('reports what became non-compliant, got fixed, appeared and disappeared across three runs', async () => {
    // Prepare
    world = await startWorld();
    const s = world.emu.oss.state;
    s.createBucket('drift-a', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    s.createBucket('drift-b', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    s.createBucket('drift-c', 'cn-shanghai');
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'drift-')));
    const publish = async (dryRun: boolean) =>
      (
        await publishRun(await runAudit(world!.runtime, { policy: REMEDIATE, dryRun }), {
          store,
          formats: ['json'],
        })
      ).report;

    // Act
    const first = await publish(true);
    s.setEncryption('drift-a', null);
    s.deleteBucket('drift-b');
    s.createBucket('drift-d', 'cn-beijing');
    const second = await publish(true);
    const third = await publish(false);

    // Assess
    expect(first.drift?.previousRunId).toBeUndefined();
    const keys = (list: Array<{ key: string }> | undefined) => (list ?? []).map((e) => e.key).sort();
    expect(keys(second.drift?.becameNoncompliant)).toEqual(['cn-hangzhou/drift-a']);
    expect(keys(second.drift?.disappeared)).toEqual(['cn-hangzhou/drift-b']);
    expect(keys(second.drift?.appeared)).toEqual(['cn-beijing/drift-d']);
    expect(second.drift?.previousRunId).toBe(first.runId);
    expect(keys(third.drift?.fixed)).toEqual([
      'cn-beijing/drift-d',
      'cn-hangzhou/drift-a',
      'cn-shanghai/drift-c',
    ]);
  });
});

describe('reports in OSS', () => {
  it('writes every format encrypted under prefix/YYYY/MM/DD plus latest.json, and reads it back', async () => {
    // Prepare
    world = await startWorld();
    const s = world.emu.oss.state;
    s.createBucket('audit-reports', 'cn-shanghai');
    s.createBucket('some-bucket', 'cn-hangzhou');
    const store = new OssStore(world.runtime.oss, 'audit-reports', 'sse/daily/');

    // Act
    const report = await runAudit(world.runtime, { policy: REPORT_ONLY, dryRun: true, runId: 'run-1' });
    const { written } = await publishRun(report, { store, formats: ['json', 'csv', 'md', 'html'] });
    const latest = await store.readLatest();

    // Assess
    const day = report.startedAt.slice(0, 10).replace(/-/g, '/');
    expect(written).toEqual([
      `oss://audit-reports/sse/daily/${day}/run-1.json`,
      `oss://audit-reports/sse/daily/${day}/run-1.csv`,
      `oss://audit-reports/sse/daily/${day}/run-1.md`,
      `oss://audit-reports/sse/daily/${day}/run-1.html`,
      `oss://audit-reports/sse/daily/${day}/run-1.sha256`,
      'oss://audit-reports/sse/daily/latest.json',
    ]);
    expect(latest?.runId).toBe('run-1');
    const files = ['json', 'csv', 'md', 'html'].map((ext) => {
      const obj = s.getObject('audit-reports', `sse/daily/${day}/run-1.${ext}`);
      expect(obj?.sse?.algorithm).toBe('AES256');
      return { name: `run-1.${ext}`, content: obj?.body ?? Buffer.alloc(0) };
    });
    const manifest =
      s.getObject('audit-reports', `sse/daily/${day}/run-1.sha256`)?.body.toString('utf8') ?? '';
    expect(verifyManifest(manifest, files).ok).toBe(true);
    files[1] = { name: 'run-1.csv', content: Buffer.from('tampered') };
    expect(verifyManifest(manifest, files).ok).toBe(false);
  });
});

describe('undo', () => {
  it('restores exactly the previous configurations, dry run first, skipping a bucket changed since', async () => {
    // Prepare
    world = await startWorld();
    const key = world.emu.kms.state.createKey({ region: 'cn-hangzhou' });
    const s = world.emu.oss.state;
    s.createBucket('undo-none', 'cn-hangzhou');
    s.createBucket('undo-aes', 'cn-hangzhou', { encryption: { algorithm: 'AES256' } });
    s.createBucket('undo-cmk', 'cn-hangzhou', {
      encryption: { algorithm: 'KMS', kmsMasterKeyId: key.keyId },
    });
    s.createBucket('undo-touched', 'cn-hangzhou');
    const policy = policyOf(
      'version: 1\ndefaults: { sse: { algorithm: KMS, kmsDataEncryption: SM4 }, remediate: true }',
    );
    const report = await runAudit(world.runtime, { policy, dryRun: false });
    s.setEncryption('undo-touched', { algorithm: 'SM4' });

    // Act
    const dry = await undoRun(world.runtime.oss, report, { apply: false });
    const afterDry = s.getBucket('undo-aes')?.encryption;
    const applied = await undoRun(world.runtime.oss, report, { apply: true });

    // Assess
    expect(report.summary.byStatus.remediated).toBe(4);
    expect(dry.map((d) => d.status).sort()).toEqual([
      'skipped',
      'would-restore',
      'would-restore',
      'would-restore',
    ]);
    expect(afterDry).toEqual({ algorithm: 'KMS', kmsDataEncryption: 'SM4' });
    expect(Object.fromEntries(applied.map((a) => [a.bucket, a.status]))).toEqual({
      'undo-aes': 'restored',
      'undo-cmk': 'restored',
      'undo-none': 'restored',
      'undo-touched': 'skipped',
    });
    expect(s.getBucket('undo-none')?.encryption).toBeNull();
    expect(s.getBucket('undo-aes')?.encryption).toEqual({ algorithm: 'AES256' });
    expect(s.getBucket('undo-cmk')?.encryption).toEqual({ algorithm: 'KMS', kmsMasterKeyId: key.keyId });
    expect(s.getBucket('undo-touched')?.encryption).toEqual({ algorithm: 'SM4' });
  });
});

describe('alerts', () => {
  async function receiver(status: number) {
    const received: Array<{ headers: http.IncomingHttpHeaders; body: string }> = [];
    server = http.createServer(async (req, res) => {
      let body = '';
      for await (const chunk of req) body += chunk;
      received.push({ headers: req.headers, body });
      res.statusCode = status;
      res.end('{}');
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    return { received, url };
  }

  it('sends signed messages for new problems only, once across runs', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('alert-a', 'cn-hangzhou');
    const { received, url } = await receiver(200);
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'alerts-')));
    const env = { HOOK_URL: url, HOOK_SECRET: 'webhook-secret-value' };
    const alerts = {
      config: { webhook: { urlEnv: 'HOOK_URL', secretEnv: 'HOOK_SECRET' }, minSeverity: 'warning' as const },
      env,
      delivery: noSleep,
    };
    const publish = async () =>
      (
        await publishRun(await runAudit(world!.runtime, { policy: REPORT_ONLY, dryRun: true }), {
          store,
          formats: ['json'],
          alerts,
        })
      ).report;

    // Act
    const first = await publish();
    const afterFirst = received.length;
    const second = await publish();
    world.emu.oss.state.createBucket('alert-b', 'cn-hangzhou');
    const third = await publish();

    // Assess
    expect(afterFirst).toBeGreaterThanOrEqual(1);
    for (const r of received) {
      const expected = `sha256=${createHmac('sha256', 'webhook-secret-value').update(r.body).digest('hex')}`;
      expect(r.headers['x-signature']).toBe(expected);
    }
    expect(first.alerts?.every((a) => a.ok)).toBe(true);
    expect(second.alerts ?? []).toEqual([]);
    const newOnes = received.slice(afterFirst).map((r) => r.body);
    expect(newOnes.some((b) => b.includes('alert-b'))).toBe(true);
    expect(newOnes.some((b) => b.includes('"alert-a"'))).toBe(false);
    expect(third.alerts?.length).toBeGreaterThan(0);
    expect(JSON.stringify([first, second, third])).not.toContain('webhook-secret-value');
  });

  it('records a webhook that answers 500 as failed after bounded retries, and the audit still completes', async () => {
    // Prepare
    world = await startWorld();
    world.emu.oss.state.createBucket('alert-c', 'cn-hangzhou');
    const { received, url } = await receiver(500);
    const store = new LocalStore(await mkdtemp(join(tmpdir(), 'alerts500-')));

    // Act
    const { report, written } = await publishRun(
      await runAudit(world.runtime, { policy: REPORT_ONLY, dryRun: true }),
      {
        store,
        formats: ['json'],
        alerts: {
          config: { webhook: { url }, minSeverity: 'warning' },
          env: {},
          delivery: { ...noSleep, maxAttempts: 3 },
        },
      },
    );

    // Assess
    expect(report.alerts?.length).toBeGreaterThan(0);
    for (const a of report.alerts ?? []) expect(a).toMatchObject({ ok: false, attempts: 3, status: 500 });
    expect(received.length).toBe(3 * (report.alerts?.length ?? 0));
    expect(written.some((w) => w.endsWith('latest.json'))).toBe(true);
  });
});
