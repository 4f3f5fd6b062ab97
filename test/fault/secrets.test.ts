/**
 * Secrets never leak: audits signed with a distinctive access key secret and STS token, under faults (so
 * retries and errors are logged), with a webhook whose secret and URL token are distinctive too. Every
 * captured log line, every report file and everything the CLI prints is scanned for them.
 */

import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { publishRun } from '../../shared/audit/publish-run.js';
import { runAudit } from '../../shared/audit/run.js';
import { FORMATS, render } from '../../shared/report/render.js';
import { LocalStore } from '../../shared/report/store.js';
import { runCli } from '../helpers/cli.js';
import { policyOf, startWorld, type World } from '../helpers/world.js';

const ACCESS_KEY_ID = 'STS.FaultSuiteAccessKey';
const SECRET = 'Sk9xFaultSuiteSecretQz7Vw3Lm5Np8Rt2Yx';
const WRONG_SECRET = 'Wr0ngFaultSuiteSecretHh4Jj6Kk8Gg1Ff3';
const STS_TOKEN = 'CAIS9FaultSuiteStsTokenBb2Cc4Dd6Ee8Ff0Gg2Hh4Jj6Kk8';
const WEBHOOK_SECRET = 'WhSecFaultSuiteWebhookPp1Qq3Rr5Ss7Tt9';
const URL_TOKEN = 'UrlTokFaultSuiteDingTalkUu2Vv4Ww6Xx8Yy0';
const SECRETS = [SECRET, WRONG_SECRET, STS_TOKEN, WEBHOOK_SECRET, URL_TOKEN];

const POLICY = `version: 1
defaults: { remediate: true }
rules:
  - { id: prod-cmk, buckets: ["prod-*"], sse: { algorithm: KMS, kmsKeyId: alias/prod-oss } }
  - { id: retired, buckets: ["old-*"], sse: { algorithm: KMS, kmsKeyId: alias/retired } }
`;

/** Every secret found in `text`, with where it was found. */
function leaks(where: string, text: string): string[] {
  return SECRETS.flatMap((s) => [s, s.slice(4, 20)])
    .filter((s) => text.includes(s))
    .map((s) => `${where}: contains "${s}"`);
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name));
}

let world: World;
let dir: string;
let hook: http.Server;
let hookUrl: string;
const delivered: Array<{ headers: http.IncomingHttpHeaders; url: string; body: string }> = [];

function seed(w: World): void {
  const kms = w.emu.kms.state;
  const key = kms.createKey({ region: 'cn-hangzhou' });
  kms.createAlias('alias/prod-oss', key.keyId, 'cn-hangzhou');
  const retired = kms.createKey({ region: 'cn-hangzhou' });
  kms.createAlias('alias/retired', retired.keyId, 'cn-hangzhou');
  kms.disableKey(retired.keyId, 'cn-hangzhou');
  const s = w.emu.oss.state;
  for (let i = 0; i < 12; i += 1) {
    s.createBucket(`${['prod', 'old', 'app'][i % 3]}-${i}`, i % 2 ? 'cn-hangzhou' : 'cn-shanghai', {
      ...(i % 4 === 0 ? { encryption: { algorithm: 'AES256' as const } } : {}),
    });
  }
  // The STS key may do everything but read one bucket's encryption: an error finding with a message.
  w.emu.accounts.add({
    accessKeyId: ACCESS_KEY_ID,
    accessKeySecret: SECRET,
    securityToken: STS_TOKEN,
    policy: {
      Version: '1',
      Statement: [
        { Effect: 'Allow', Action: '*', Resource: '*' },
        { Effect: 'Deny', Action: 'oss:GetBucketEncryption', Resource: 'acs:oss:*:*:app-2' },
      ],
    },
  });
}

beforeAll(async () => {
  hook = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      delivered.push({
        headers: req.headers,
        url: req.url ?? '',
        body: Buffer.concat(chunks).toString('utf8'),
      });
      // The first delivery fails, so the failure path (logs, delivery records) is exercised too.
      res.writeHead(delivered.length === 1 ? 500 : 200).end(delivered.length === 1 ? 'try again' : 'ok');
    });
  });
  await new Promise<void>((resolve) => hook.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(hook.address() as AddressInfo).port}/hook?access_token=${URL_TOKEN}`;
  world = await startWorld();
  seed(world);
  dir = await mkdtemp(join(tmpdir(), 'sse-guard-secrets-'));
});

afterAll(async () => {
  await world?.close();
  await new Promise<void>((resolve) => hook?.close(() => resolve()));
});

describe('secrets stay out of logs and reports', () => {
  it('never logs or reports the access key secret, the STS token or the webhook secrets', async () => {
    // Prepare
    world.emu.oss.faults.set('*', { throttleRate: 0.3, errorRate: 0.1, dropRate: 0.05 });
    world.emu.kms.faults.set('*', { throttleRate: 0.3 });
    const runtime = world.runtimeFor({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: SECRET,
      securityToken: STS_TOKEN,
    });
    const wrong = world.runtimeFor({
      accessKeyId: ACCESS_KEY_ID,
      accessKeySecret: WRONG_SECRET,
      securityToken: STS_TOKEN,
    });
    const policy = policyOf(POLICY);

    // Act
    const report = await runAudit(runtime, { policy, dryRun: false });
    const refused = await runAudit(wrong, { policy, dryRun: true }).then(
      () => new Error('a wrong secret was accepted'),
      (err: unknown) => err as Error,
    );
    const published = await publishRun(report, {
      store: new LocalStore(join(dir, 'api')),
      formats: FORMATS,
      alerts: {
        config: { webhook: { url: hookUrl, secretEnv: 'FAULT_SUITE_WEBHOOK_SECRET' }, minSeverity: 'info' },
        env: { FAULT_SUITE_WEBHOOK_SECRET: WEBHOOK_SECRET },
        delivery: { sleep: async () => {} },
      },
      logger: runtime.logger,
    });
    world.emu.oss.faults.clear();
    world.emu.kms.faults.clear();

    // Assess
    const found = [
      ...world.logs.flatMap((line, i) => leaks(`log line ${i}`, JSON.stringify(line))),
      ...leaks('refusal', `${inspect(refused, { depth: 8 })} ${JSON.stringify(refused)}`),
      ...[report, published.report].flatMap((r, i) =>
        FORMATS.flatMap((f) => leaks(`report ${i} as ${f}`, render(r, f))),
      ),
    ];
    for (const file of await filesUnder(join(dir, 'api')))
      found.push(...leaks(file, await readFile(file, 'utf8')));
    for (const d of delivered) found.push(...leaks(`webhook body ${d.url}`, d.body));
    expect(found).toEqual([]);
    expect(leaks('probe', `token=${STS_TOKEN}`)).not.toEqual([]);
    // The run met what it had to: retries, an access error, signature refusals, a signed delivery.
    expect(world.logs.some((l) => l.msg === 'retrying')).toBe(true);
    expect(report.findings.find((f) => f.bucket === 'app-2')?.error?.code).toBe('AccessDenied');
    expect(refused).toMatchObject({ code: 'SignatureDoesNotMatch', status: 403 });
    expect(delivered.some((d) => String(d.headers['x-signature']).startsWith('sha256='))).toBe(true);
  });

  it('keeps them out of everything the CLI prints and writes with --out', async () => {
    // Prepare
    world.emu.oss.faults.set('GetBucketEncryption', { throttleRate: 0.3 });
    const policyFile = join(dir, 'policy.yaml');
    await writeFile(policyFile, POLICY);
    const out = join(dir, 'cli-out');
    const env = {
      OSS_SSE_GUARD_OSS_ENDPOINT: world.emu.oss.url,
      OSS_SSE_GUARD_KMS_ENDPOINT: world.emu.kms.url,
      ALIBABA_CLOUD_ACCESS_KEY_ID: ACCESS_KEY_ID,
      ALIBABA_CLOUD_ACCESS_KEY_SECRET: SECRET,
      ALIBABA_CLOUD_SECURITY_TOKEN: STS_TOKEN,
      OSS_SSE_GUARD_WEBHOOK_URL: hookUrl,
      OSS_SSE_GUARD_WEBHOOK_SECRET: WEBHOOK_SECRET,
      LOG_LEVEL: 'debug',
    };
    const args = ['audit', '--policy', policyFile, '--format', 'table,json,csv,md,html', '--out', out];

    // Act
    const dry = await runCli(args, env);
    const fix = await runCli([...args, '--remediate'], env);
    world.emu.oss.faults.clear();

    // Assess
    const found = [dry, fix].flatMap((r, i) => [
      ...leaks(`run ${i} stdout`, r.stdout),
      ...leaks(`run ${i} stderr`, r.stderr),
    ]);
    const files = await filesUnder(out);
    for (const file of files) found.push(...leaks(file, await readFile(file, 'utf8')));
    expect(found).toEqual([]);
    expect([dry.code, fix.code]).toEqual([3, 3]);
    expect(files.filter((f) => f.endsWith('.html')).length).toBe(2);
    expect(fix.stderr).toMatch(/"level":"debug"/);
  });
});
