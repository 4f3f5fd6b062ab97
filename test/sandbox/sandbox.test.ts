/**
 * The deployed shape, run: s.yaml's functions built with `npm run build`'s code, registered in the FC
 * emulator with their handler, timeout, memory, environment and role, and every trigger wired
 * (emulator/sandbox/). Everything is driven with the real ali-oss client, as a user would, and observed
 * through the functions' effects. Sources for the wiring: Function Compute "Formats of event for
 * different triggers" (OSS and timer events), fc3 OSSTriggerConfig (events with wildcards, filter.key
 * prefix/suffix), TimerTriggerConfig (cronExpression), EventBridge "Event patterns", and Function
 * Compute "Error handling" (async invocations retried 3 times by default).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Sandbox, startSandbox } from '../../emulator/sandbox/index.js';
import { buildFunctions } from '../../scripts/build.js';
import { runCli } from '../helpers/cli.js';
import { ossClient } from '../helpers/oss-test-client.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const POLICY = readFileSync(join(ROOT, 'examples/policy.yaml'), 'utf8');
let work: string;

/** A copy of s.yaml whose code folders are this test's own build, edited by `edit`. */
function sYamlCopy(name: string, edit: (text: string) => string = (t) => t): string {
  const text = readFileSync(join(ROOT, 's.yaml'), 'utf8').replaceAll('code: ./dist/', `code: ${work}/dist/`);
  const path = join(work, name);
  writeFileSync(path, edit(text));
  return path;
}

function client(sb: Sandbox, bucket: string, region = 'oss-cn-hangzhou') {
  return ossClient({ url: sb.emulators.oss.url, ...sb.emulators.credentials, bucket, region });
}

const GUARD = 'oss-sse-guard-upload-guard';

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'sandbox-test-'));
  await buildFunctions(join(work, 'dist'));
}, 120_000);

describe('the sandbox runs s.yaml', () => {
  let sb: Sandbox;
  let t = new Date('2026-12-01T23:00:00Z').getTime();
  beforeAll(async () => {
    // The watched prefix is edited in this copy of s.yaml: what fires is what the file says.
    const config = sYamlCopy('s-incoming.yaml', (text) =>
      text.replace(
        "primary: { bucket: my-uploads-bucket, prefix: '', suffix: '' }",
        "primary: { bucket: my-uploads-bucket, prefix: 'incoming/', suffix: '' }",
      ),
    );
    const encrypt = POLICY.replace('action: alert', 'action: encrypt');
    sb = await startSandbox({
      config,
      policyText: encrypt,
      vars: { dryRun: 'false' },
      now: () => new Date(t),
    });
  }, 60_000);
  afterAll(async () => {
    await sb?.close();
  });

  it('fires the upload guard for an upload under the filtered prefix, and not for one outside it', async () => {
    // Prepare
    const oss = client(sb, 'my-uploads-bucket');

    // Act
    await oss.put('elsewhere/a.txt', Buffer.from('outside the filter'));
    await oss.put('incoming/b.txt', Buffer.from('inside the filter'));
    await sb.idle();

    // Assess
    const toGuard = sb.deliveries.filter((d) => d.fn === GUARD);
    expect(toGuard[0]).toMatchObject({
      kind: 'oss',
      trigger: 'oss-my-uploads-bucket',
      what: 'oss:ObjectCreated:PutObject',
    });
    const checked = sb.logs
      .filter((l) => l.fn === GUARD && l.line.msg === 'object checked')
      .map((l) => l.line.key);
    expect(checked).toContain('incoming/b.txt');
    expect(checked).not.toContain('elsewhere/a.txt');
    expect(sb.emulators.oss.state.getObject('my-uploads-bucket', 'elsewhere/a.txt')?.sse).toBeUndefined();
  });

  it("encrypts in place once: the guard's own copy fires the trigger again and starts no second copy", async () => {
    // Prepare
    const before = sb.deliveries.filter((d) => d.fn === GUARD).length;
    const logFrom = sb.logs.length;

    // Act
    await client(sb, 'my-uploads-bucket').put('incoming/c.bin', Buffer.from('to be encrypted'));
    await sb.idle();

    // Assess
    const deliveries = sb.deliveries.filter((d) => d.fn === GUARD).slice(before);
    expect(deliveries.map((d) => d.what)).toEqual([
      'oss:ObjectCreated:PutObject',
      'oss:ObjectCreated:CopyObject',
    ]);
    const copies = sb.logs.slice(logFrom).filter((l) => l.fn === GUARD && l.line.action === 'encrypted');
    expect(copies).toHaveLength(1);
    expect(sb.emulators.oss.state.getObject('my-uploads-bucket', 'incoming/c.bin')?.sse?.algorithm).toBe(
      'AES256',
    );
    expect(sb.emulators.oss.state.getObject('my-uploads-bucket', 'incoming/c.bin')?.body.toString()).toBe(
      'to be encrypted',
    );
  });

  it('puts a deleted encryption rule back through the bucket watch (EventBridge, ActionTrail event)', async () => {
    // Prepare: prod-logs must be on the prod CMK (rule prod-cmk); deleting its rule is a change event.
    const oss = client(sb, 'prod-logs');

    // Act
    await oss.deleteBucketEncryption('prod-logs');
    await sb.idle();

    // Assess
    const d = sb.deliveries.find(
      (x) => x.fn === 'oss-sse-guard-bucket-watch' && x.trigger === 'encryption-changed',
    );
    expect(d?.what).toBe('oss:ActionTrail:ApiCall');
    expect(sb.emulators.oss.state.getBucket('prod-logs')?.encryption).toMatchObject({ algorithm: 'KMS' });
  });

  it('does not deliver a bucket in another region to the watch (EventBridge is regional)', async () => {
    // Act
    const before = sb.deliveries.length;
    await client(sb, 'team-wiki', 'oss-cn-shanghai').deleteBucketEncryption('team-wiki');
    await sb.idle();

    // Assess
    expect(sb.deliveries.slice(before)).toEqual([]);
    expect(sb.emulators.oss.state.getBucket('team-wiki')?.encryption).toBeNull();
  });

  it('fires the auditor when the timer comes round on the sandbox clock', async () => {
    // Prepare
    const next = sb.nextTimer('scheduled-audit');
    expect(next?.toISOString()).toBe('2026-12-02T00:00:00.000Z');
    expect(sb.tick()).toEqual([]);

    // Act
    t = (next as Date).getTime() + 1000;
    const fired = sb.tick();
    await sb.idle();

    // Assess
    expect(fired).toEqual(['scheduled-audit']);
    const run = sb.emulators.fc.invocations.filter((i) => i.fn === 'oss-sse-guard-bucket-auditor');
    expect(run.map((i) => i.status)).toEqual(['ok']);
    expect(sb.emulators.oss.state.getBucket('team-wiki')?.encryption).toMatchObject({ algorithm: 'AES256' });
    expect(sb.nextTimer('scheduled-audit')?.toISOString()).toBe('2026-12-02T06:00:00.000Z');
  });
});

describe('roles', () => {
  it('fails a function whose role lacks a permission with AccessDenied, retried 3 times as async invocations are', async () => {
    // Prepare: the role can do everything but read the policy object.
    const sb = await startSandbox({
      config: sYamlCopy('s-roles.yaml'),
      rolePolicies: {
        'oss-sse-guard-fn': {
          Version: '1',
          Statement: [
            { Effect: 'Allow', Action: '*', Resource: '*' },
            { Effect: 'Deny', Action: 'oss:GetObject', Resource: 'acs:oss:*:*:oss-sse-guard-*/policy.yaml' },
          ],
        },
      },
    });
    try {
      // Act
      await client(sb, 'my-uploads-bucket').put('x.txt', Buffer.from('x'));
      await sb.idle();

      // Assess
      const attempts = sb.emulators.fc.invocations.filter((i) => i.fn === GUARD);
      expect(attempts.map((a) => a.attempt)).toEqual([1, 2, 3, 4]);
      expect(new Set(attempts.map((a) => a.requestId)).size).toBe(1);
      for (const a of attempts) {
        expect(a.status).toBe('error');
        expect(a.errorMessage).toMatch(/AccessDenied/);
      }
    } finally {
      await sb.close();
    }
  }, 60_000);
});

describe('npm start', () => {
  it('tells the four stories, each ending as designed', async () => {
    // Act
    const res = await runCli(['demo', '--out', join(work, 'reports')], {}, ROOT);

    // Assess
    expect(res.stderr).not.toMatch(/did not end as designed/);
    expect(res.code).toBe(0);
    for (const title of [
      '1. Scheduled audit (timer trigger)',
      '2. Upload guard (OSS trigger)',
      '3. Bucket watch (EventBridge)',
      '4. The next scheduled audit: report and drift',
    ]) {
      expect(res.stdout).toContain(title);
    }
    expect(res.stdout).toMatch(/flagged, an alert reached the local webhook/);
    expect(res.stdout).toMatch(/encrypted in place: now KMS; copies made: 1/);
    expect(res.stdout).toMatch(/put back: now KMS/);
    expect(res.stdout).toMatch(/appeared since the previous run: shared-partner-inbox \(noncompliant\)/);
    expect(res.stdout).toContain('demo: every story ended as designed');
  }, 120_000);
});
