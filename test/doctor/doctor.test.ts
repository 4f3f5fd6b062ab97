/**
 * `doctor` against the emulators, signed with access keys restricted by the emulators' RAM model
 * (emulator/core/accounts.ts) to the `ram-policy` document, or to that document minus some actions: each
 * missing action is named with the ram-policy line that grants it, and nothing is ever changed. The skewed
 * clock is the emulators' (OSS refuses requests more than 15 minutes off: RequestTimeTooSkewed, OSS "HTTP
 * 403 errors"); the unreachable endpoint is a closed loopback port.
 */
import { Writable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import type { RamPolicy } from '../../emulator/core/accounts.js';
import type { EmulatorsOptions } from '../../emulator/index.js';
import { type Settings, settingsFromEnv } from '../../shared/config.js';
import { DOCTOR_FUNCTIONS } from '../../shared/doctor/features.js';
import { renderDoctor } from '../../shared/doctor/render.js';
import { type DoctorInput, runDoctor } from '../../shared/doctor/run.js';
import type { Check, DoctorReport } from '../../shared/doctor/types.js';
import { createLogger } from '../../shared/log.js';
import { ramPolicy } from '../../shared/ram/generate.js';
import { buildRuntime } from '../../shared/runtime.js';
import { runCli } from '../helpers/cli.js';
import { FAST_RETRY, policyOf, startWorld, type World } from '../helpers/world.js';

const POLICY = `version: 1
rules:
  - { id: prod, buckets: ["prod-*"], sse: { algorithm: KMS, kmsKeyId: alias/prod }, remediate: true }
defaults: { remediate: false }
`;

let world: World | undefined;
afterEach(async () => {
  await world?.close();
  world = undefined;
});

async function account(opts: EmulatorsOptions = {}): Promise<World> {
  const w = await startWorld(opts);
  const key = w.emu.kms.state.createKey({ region: 'cn-hangzhou' });
  w.emu.kms.state.createAlias('alias/prod', key.keyId, 'cn-hangzhou');
  w.emu.oss.state.createBucket('prod-a', 'cn-hangzhou');
  w.emu.oss.state.createBucket('dev-b', 'cn-shanghai');
  return w;
}

/** The ram-policy document for POLICY, without the actions `drop` matches. */
function restricted(drop: (action: string) => boolean): RamPolicy {
  const doc = ramPolicy({ policy: policyOf(POLICY).policy }, DOCTOR_FUNCTIONS);
  const Statement = doc.Statement.map((s) => ({ ...s, Action: s.Action.filter((a) => !drop(a)) })).filter(
    (s) => s.Action.length > 0,
  );
  return { Version: '1', Statement } as unknown as RamPolicy;
}

async function doctor(
  w: World,
  policy: RamPolicy,
  override: Partial<Settings> = {},
  extra: Partial<Pick<DoctorInput, 'alerts' | 'env'>> = {},
): Promise<DoctorReport> {
  const credentials = { accessKeyId: 'EMU-DOCTOR', accessKeySecret: 'doctor-secret-value' };
  w.emu.accounts.add({ ...credentials, policy });
  const settings = { ...settingsFromEnv(w.emu.env), ...override };
  const quiet = createLogger({ level: 'silent', destination: new Writable({ write: (_c, _e, cb) => cb() }) });
  const runtime = buildRuntime(settings, credentials, quiet, FAST_RETRY);
  return runDoctor({
    settings,
    credentials,
    credentialSource: 'the environment (ALIBABA_CLOUD_ACCESS_KEY_ID)',
    oss: runtime.oss,
    kms: runtime.kms,
    policy: policyOf(POLICY),
    alerts: undefined,
    now: () => new Date(),
    endpointTimeoutMs: 2_000,
    ...extra,
  });
}

const missing = (r: DoctorReport) => r.checks.filter((c) => c.status === 'missing');
const inSection = (r: DoctorReport, section: string) => r.checks.filter((c) => c.section === section);
const about = (checks: Check[], action: string) => checks.find((c) => c.title.startsWith(action));

describe('doctor', () => {
  it('is ready with exactly the ram-policy rights, and changes nothing', async () => {
    // Prepare
    world = await account();

    // Act
    const report = await doctor(
      world,
      restricted(() => false),
    );

    // Assess
    expect(missing(report)).toEqual([]);
    expect(report.ready).toBe(true);
    expect(about(inSection(report, 'remediation'), 'oss:PutBucketEncryption')?.status).toBe('ok');
    expect(inSection(report, 'keys')).toEqual([
      expect.objectContaining({
        status: 'ok',
        title: expect.stringMatching(/"alias\/prod".*Enabled, in cn-hangzhou/),
      }),
    ]);
    expect(inSection(report, 'clock')[0]?.status).toBe('ok');
    expect(world.emu.oss.state.getBucket('prod-a')?.encryption).toBeNull();
    expect(renderDoctor(report, 'oss-sse-guard ram-policy')).not.toContain('doctor-secret-value');
  });

  it('names kms:DescribeKey and its ram-policy line when the key has no KMS rights', async () => {
    // Prepare
    world = await account();

    // Act
    const report = await doctor(
      world,
      restricted((a) => a.startsWith('kms:')),
    );

    // Assess
    expect(report.ready).toBe(false);
    const describe = about(inSection(report, 'remediation'), 'kms:DescribeKey');
    expect(describe).toMatchObject({ status: 'missing', title: expect.stringContaining('denied') });
    expect(describe?.grant).toMatch(/^ram-policy line \d+: "kms:DescribeKey"/);
    expect(inSection(report, 'keys')[0]).toMatchObject({
      status: 'missing',
      title: expect.stringContaining('kms:DescribeKey is denied'),
    });
    expect(inSection(report, 'audit').every((c) => c.status === 'ok')).toBe(true);
  });

  it('reports remediation not ready and the audit ready without PutBucketEncryption', async () => {
    // Prepare
    world = await account();

    // Act
    const report = await doctor(
      world,
      restricted((a) => a === 'oss:PutBucketEncryption'),
    );

    // Assess
    expect(report.ready).toBe(false);
    expect(missing(report).map((c) => [c.section, c.title.split(' ')[0]])).toEqual([
      ['remediation', 'oss:PutBucketEncryption'],
    ]);
    const put = about(inSection(report, 'remediation'), 'oss:PutBucketEncryption');
    expect(put?.title).toMatch(/AccessDenied on bucket prod-a, request id \S+/);
    expect(put?.grant).toMatch(
      /^ram-policy line \d+: "oss:PutBucketEncryption" \(statement for acs:oss:\*:\*:prod-\*\)/,
    );
    expect(inSection(report, 'audit').map((c) => c.status)).toEqual(['ok', 'ok']);
    expect(world.emu.oss.state.getBucket('prod-a')?.encryption).toBeNull();
  });

  it('reports the clock skew when the service is 20 minutes ahead, and what it could not check', async () => {
    // Prepare
    world = await account({ now: () => new Date(Date.now() + 20 * 60_000) });

    // Act
    const report = await doctor(
      world,
      restricted(() => false),
    );

    // Assess
    expect(report.ready).toBe(false);
    expect(inSection(report, 'clock')[0]).toMatchObject({
      status: 'missing',
      title: expect.stringMatching(/20\.\d min behind OSS; OSS refuses requests more than 15 minutes off/),
    });
    const list = about(inSection(report, 'audit'), 'oss:ListBuckets');
    expect(list).toMatchObject({ status: 'missing', title: expect.stringContaining('RequestTimeTooSkewed') });
    expect(list?.grant).toMatch(/^ram-policy line \d+: "oss:ListBuckets"/);
  });

  it('names the unreachable KMS endpoint and the KMS action it could not check', async () => {
    // Prepare
    world = await account();

    // Act
    const report = await doctor(
      world,
      restricted(() => false),
      { kmsEndpoint: 'http://127.0.0.1:1' },
    );

    // Assess
    expect(report.ready).toBe(false);
    expect(inSection(report, 'endpoints').find((c) => c.title.startsWith('KMS cn-hangzhou'))).toMatchObject({
      status: 'missing',
      title: expect.stringMatching(
        /http:\/\/127\.0\.0\.1:1 .*did not answer: the connection was refused.*ECONNREFUSED/,
      ),
    });
    const describe = about(inSection(report, 'remediation'), 'kms:DescribeKey');
    expect(describe).toMatchObject({ status: 'missing', title: expect.stringContaining('did not answer') });
    expect(describe?.grant).toMatch(/"kms:DescribeKey"/);
    expect(inSection(report, 'audit').every((c) => c.status === 'ok')).toBe(true);
  });

  it('probes the upload guard, backfill and report reads, and lists the writes no harmless call can check', async () => {
    // Prepare
    world = await account();
    world.emu.oss.state.createBucket('audit-reports', 'cn-hangzhou');
    const text = `${POLICY}objects: { action: encrypt, buckets: ["prod-*"], sse: { algorithm: AES256 } }\n`;
    const ctx = { policy: policyOf(text).policy, reportLocation: 'oss://audit-reports/sse/' };
    const key = { accessKeyId: 'EMU-DOCTOR-OBJ', accessKeySecret: 'doctor-obj-secret' };
    world.emu.accounts.add({ ...key, policy: ramPolicy(ctx, DOCTOR_FUNCTIONS) as unknown as RamPolicy });
    const settings = { ...settingsFromEnv(world.emu.env), reportLocation: ctx.reportLocation };
    const quiet = createLogger({
      level: 'silent',
      destination: new Writable({ write: (_c, _e, cb) => cb() }),
    });
    const runtime = buildRuntime(settings, key, quiet, FAST_RETRY);

    // Act
    const report = await runDoctor({
      settings,
      credentials: key,
      credentialSource: 'test',
      oss: runtime.oss,
      kms: runtime.kms,
      policy: policyOf(text),
      alerts: undefined,
      now: () => new Date(),
    });

    // Assess
    expect(missing(report)).toEqual([]);
    const status = (section: string, action: string) => about(inSection(report, section), action)?.status;
    expect(status('upload guard', 'oss:GetObject')).toBe('ok');
    expect(status('backfill', 'oss:ListObjects')).toBe('ok');
    expect(status('backfill', 'oss:GetBucketLocation')).toBe('ok');
    expect(status('reports to OSS', 'oss:GetObject')).toBe('ok');
    const put = about(inSection(report, 'upload guard'), 'oss:PutObject');
    expect(put).toMatchObject({ status: 'unverified', grant: expect.stringMatching(/"oss:PutObject"/) });
    expect(about(inSection(report, 'backfill'), 'fc:InvokeFunction')?.status).toBe('unverified');
    expect(renderDoctor(report, 'x')).toMatch(/\nready \(\d+ permissions cannot be checked without a change/);
  });

  it('checks that the variables the alert sinks name are set, without printing them', async () => {
    // Prepare
    world = await account();
    const alerts = {
      webhook: { url: 'https://hooks.example.com/x', secretEnv: 'DOCTOR_TEST_WEBHOOK_SECRET' },
      dingtalk: { urlEnv: 'DOCTOR_TEST_DINGTALK_URL' },
    };
    const env = { DOCTOR_TEST_WEBHOOK_SECRET: 'whsec-value-never-printed' };

    // Act
    const report = await doctor(
      world,
      restricted(() => false),
      {},
      { alerts, env },
    );

    // Assess
    expect(inSection(report, 'alerts')).toEqual([
      {
        section: 'alerts',
        status: 'ok',
        title: 'webhook: URL in the policy, secret from DOCTOR_TEST_WEBHOOK_SECRET',
      },
      {
        section: 'alerts',
        status: 'missing',
        title: 'dingtalk: DOCTOR_TEST_DINGTALK_URL is not set in this environment',
      },
    ]);
    expect(report.ready).toBe(false);
    expect(JSON.stringify(report)).not.toContain('whsec-value-never-printed');
  });

  it('exits 0 when ready, 1 when something is missing and 2 on a bad policy (the real command)', async () => {
    // Prepare
    world = await account();
    const key = { accessKeyId: 'EMU-CLI-DOCTOR', accessKeySecret: 'cli-doctor-secret' };
    world.emu.accounts.add({ ...key, policy: restricted((a) => a === 'oss:PutBucketEncryption') });
    const env = {
      ...world.emu.env,
      ALIBABA_CLOUD_ACCESS_KEY_ID: key.accessKeyId,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: key.accessKeySecret,
    };

    // Act
    const full = await runCli(['doctor', '--policy', POLICY], { ...world.emu.env, ...credentialsEnv(world) });
    const partial = await runCli(['doctor', '--policy', POLICY], env);
    const bad = await runCli(['doctor', '--policy', 'version: 2'], env);

    // Assess
    expect(full.code).toBe(0);
    expect(full.stdout).toMatch(/\nready/);
    expect(partial.code).toBe(1);
    expect(partial.stdout).toMatch(/\[MISSING\] oss:PutBucketEncryption is denied/);
    expect(partial.stdout).toMatch(/grant: ram-policy line \d+: "oss:PutBucketEncryption"/);
    expect(partial.stdout + partial.stderr).not.toContain('cli-doctor-secret');
    expect(bad.code).toBe(2);
  }, 60_000);
});

function credentialsEnv(w: World): Record<string, string> {
  return {
    ALIBABA_CLOUD_ACCESS_KEY_ID: w.emu.credentials.accessKeyId,
    ALIBABA_CLOUD_ACCESS_KEY_SECRET: w.emu.credentials.accessKeySecret,
  };
}
