/**
 * s.yaml: rendered by the real Serverless Devs CLI (`s preview`, @serverless-devs/s 3.x, the project's
 * devDependency) and checked against the fc3 schema's requirements and the project's own.
 *
 * `s preview` needs no network and no credentials: it only parses and renders the template. Run under
 * `unshare -n` (no network namespace) it renders in under a second. Without an access configured it
 * leaves `${config('AccountID')}` as literal text, which the checks below expect. NODE_ENV=test keeps
 * the CLI from starting its background processes (update check, usage report); HOME points at an empty
 * folder so no user configuration or access is read; the template is copied to a temporary folder so no
 * `.env` file next to the real one (Serverless Devs loads those) reaches the render.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkFc3Props, isObj, type Json, type Obj } from './fc3-requirements.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const S_YAML = join(ROOT, 's.yaml');
const S_CLI = join(ROOT, 'node_modules/@serverless-devs/s/bin/s');
// biome-ignore lint/suspicious/noTemplateCurlyInString: Serverless Devs template syntax, not a JS template
const ACCOUNT_MARKER = "${config('AccountID')}";
const TEST_ACCOUNT = '1234567890123456';
/** What the deployer's shell provides in this test; the DingTalk pair stays unset. */
const DEPLOYER_ENV = {
  OSS_SSE_GUARD_WEBHOOK_URL: 'https://hooks.example.test/oss-sse-guard',
  OSS_SSE_GUARD_WEBHOOK_SECRET: 'test-only-webhook-secret',
};
const ALERT_VARS = [
  'OSS_SSE_GUARD_WEBHOOK_URL',
  'OSS_SSE_GUARD_WEBHOOK_SECRET',
  'OSS_SSE_GUARD_DINGTALK_URL',
  'OSS_SSE_GUARD_DINGTALK_SECRET',
];
const FUNCTIONS = ['bucket-auditor', 'upload-guard', 'bucket-watch', 'backfill-worker'];
const OBJECT_CREATION_EVENTS = [
  'oss:ObjectCreated:PutObject',
  'oss:ObjectCreated:PostObject',
  'oss:ObjectCreated:CopyObject',
  'oss:ObjectCreated:CompleteMultipartUpload',
  'oss:ObjectCreated:AppendObject',
];

let work: string;
let preview: { status: number | null; stdout: string; stderr: string; ms: number };
/** The rendered template, with the unresolved account ID replaced by TEST_ACCOUNT. */
let rendered: Obj;
let renderedRaw: Obj;

function obj(v: Json | undefined, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what}: expected an object, got ${JSON.stringify(v)}`);
  return v;
}
const resource = (name: string): Obj => obj(obj(rendered.resources, 'resources')[name], name);
const props = (name: string): Obj => obj(resource(name).props, `${name}.props`);
const triggers = (name: string): Obj[] => {
  const t = props(name).triggers;
  if (!Array.isArray(t)) throw new Error(`${name}.props.triggers: expected a list`);
  return t.map((x, i) => obj(x, `${name}.props.triggers[${i}]`));
};
const env = (name: string): Obj => obj(props(name).environmentVariables, `${name} environmentVariables`);
const vars = (): Obj => obj(rendered.vars, 'vars');

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'oss-sse-guard-s-preview-'));
  copyFileSync(S_YAML, join(work, 's.yaml'));
  const started = Date.now();
  // One spawn, bounded: the CLI exits on its own in about a second; the timeout kills it if not.
  const run = spawnSync(
    process.execPath,
    [S_CLI, 'preview', '-t', join(work, 's.yaml'), '-o', 'json', '--silent'],
    {
      cwd: work,
      encoding: 'utf8',
      timeout: 20_000,
      env: {
        PATH: process.env.PATH ?? '',
        HOME: work,
        USERPROFILE: work,
        NODE_ENV: 'test',
        ...DEPLOYER_ENV,
      },
    },
  );
  preview = {
    status: run.status,
    stdout: run.stdout ?? '',
    stderr: run.stderr ?? '',
    ms: Date.now() - started,
  };
  const json = preview.stdout.slice(Math.max(0, preview.stdout.indexOf('{')));
  renderedRaw = preview.status === 0 ? (JSON.parse(json) as Obj) : {};
  rendered = JSON.parse(JSON.stringify(renderedRaw).split(ACCOUNT_MARKER).join(TEST_ACCOUNT)) as Obj;
});

afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

describe('s.yaml rendered by s preview', () => {
  it('renders offline, without credentials, in one bounded run', () => {
    // Assess
    expect(preview.stderr + preview.stdout.slice(0, 500)).not.toMatch(/Error Message/);
    expect(preview.status).toBe(0);
    expect(preview.ms).toBeLessThan(20_000);
    expect(renderedRaw.edition).toBe('3.0.0');
    expect(Object.keys(obj(renderedRaw.resources, 'resources')).sort()).toEqual([
      'backfill-worker',
      'bucket-auditor',
      'bucket-watch',
      'upload-guard',
    ]);
    // No access configured: the account ID is left for deploy time; nothing deployed is unresolved
    // (`vars` itself is rendered in fewer passes, so a var built from vars may still show `${vars.x}`).
    expect(obj(renderedRaw.vars, 'vars').accountId).toBe(ACCOUNT_MARKER);
    expect(JSON.stringify(rendered.resources)).not.toContain('${');
  });

  it('gives fc3 every property its schema requires, in the shapes it accepts', () => {
    // Prepare
    const names = FUNCTIONS;

    // Act
    const problems = names.flatMap((n) => checkFc3Props(props(n)).map((p) => `${n}: ${p}`));

    // Assess
    expect(problems).toEqual([]);
    for (const n of names) expect(resource(n).component).toBe('fc3');
  });

  it('deploys the built bundles: nodejs20, index.handler, code at dist/<function>', () => {
    for (const fn of FUNCTIONS) {
      // Prepare
      const p = props(fn);

      // Assess
      expect(p.runtime).toBe('nodejs20');
      expect(p.handler).toBe('index.handler');
      expect(p.code).toBe(`./dist/${fn}`);
      // `npm run build` may not have run before the tests; when it has, the handler file is there.
      const dir = join(ROOT, 'dist', fn);
      if (existsSync(dir)) expect(existsSync(join(dir, 'index.js'))).toBe(true);
    }
  });

  it('runs the auditor on an enabled timer whose schedule comes from vars, with a payload', () => {
    // Prepare
    const timers = triggers('bucket-auditor').filter((t) => t.triggerType === 'timer');

    // Assess
    expect(timers).toHaveLength(1);
    const config = obj(timers[0]?.triggerConfig, 'timer triggerConfig');
    expect(config.cronExpression).toBe(vars().schedule);
    expect(config.enable).toBe(true);
    expect(typeof config.payload).toBe('string');
    expect(() => JSON.parse(String(config.payload))).not.toThrow();
  });

  it('watches each bucket in vars.watched with its own OSS trigger, source ARN and invocation role', () => {
    // Prepare
    const watched = obj(vars().watched, 'vars.watched');
    const region = vars().region;
    const oss = triggers('upload-guard').filter((t) => t.triggerType === 'oss');

    // Assess
    expect(oss).toHaveLength(Object.keys(watched).length);
    for (const [i, w] of Object.values(watched).entries()) {
      const bucket = obj(w, 'watched bucket');
      const trigger = oss[i] as Obj;
      const config = obj(trigger.triggerConfig, 'oss triggerConfig');
      expect(trigger.sourceArn).toBe(`acs:oss:${region}:${TEST_ACCOUNT}:${bucket.bucket}`);
      expect(trigger.invocationRole).toMatch(new RegExp(`^acs:ram::${TEST_ACCOUNT}:role/[A-Za-z0-9.-]+$`));
      expect(config.events).toEqual(OBJECT_CREATION_EVENTS);
      expect(obj(config.filter, 'filter').key).toEqual({ prefix: bucket.prefix, suffix: bucket.suffix });
    }
    expect(triggers('upload-guard').every((t) => t.triggerType === 'oss')).toBe(true);
  });

  it('gives the auditor its policy, report location, dry-run switch and alert settings', () => {
    // Prepare
    const auditor = env('bucket-auditor');
    const guard = env('upload-guard');

    // Assess
    expect(auditor.OSS_SSE_GUARD_POLICY).toBe(vars().policyLocation);
    expect(auditor.OSS_SSE_GUARD_REPORT).toBe(vars().reportLocation);
    expect(auditor.DRY_RUN).toBe(vars().dryRun);
    expect(['true', 'false']).toContain(auditor.DRY_RUN);
    expect(auditor.OSS_SSE_GUARD_HOME_REGION).toBe(vars().region);
    expect(['v1', 'v4']).toContain(auditor.OSS_SSE_GUARD_SIGNATURE);
    expect(guard.OSS_SSE_GUARD_POLICY).toBe(vars().policyLocation);
    // The guard does not read DRY_RUN or write reports: giving it either would mislead.
    expect(guard).not.toHaveProperty('DRY_RUN');
    expect(guard).not.toHaveProperty('OSS_SSE_GUARD_REPORT');
    expect(String(vars().policyLocation)).toMatch(/^oss:\/\/[a-z0-9-]{3,63}\/.+/);
    expect(String(vars().reportLocation)).toMatch(/^oss:\/\/[a-z0-9-]{3,63}\/.+/);
  });

  it("takes alert settings from the deployer's environment, never from the file", () => {
    // Prepare
    const source = readFileSync(S_YAML, 'utf8');

    // Assess
    for (const name of ALERT_VARS) {
      // In the file: only a reference to the deploying shell's variable of the same name.
      const lines = source.split('\n').filter((l) => l.trimStart().startsWith(`${name}:`));
      expect(lines).toEqual([`    ${name}: \${env('${name}', '')}`]);
      // Rendered: the value the shell had, or '' (no such sink) when it had none.
      const expected = (DEPLOYER_ENV as Record<string, string>)[name] ?? '';
      expect(env('bucket-auditor')[name]).toBe(expected);
      expect(env('upload-guard')[name]).toBe(expected);
      expect(env('bucket-watch')[name]).toBe(expected);
    }
  });

  it('sizes the auditor for a scan and bounds both functions', () => {
    // Prepare
    const auditor = props('bucket-auditor');
    const guard = props('upload-guard');

    // Assess: the auditor's deadline logic needs room for listing, reading and the report.
    expect(Number(auditor.timeout)).toBeGreaterThanOrEqual(300);
    expect(Number(guard.timeout)).toBeGreaterThanOrEqual(60);
    for (const p of [auditor, guard]) expect(Number(p.memorySize)).toBeGreaterThanOrEqual(256);
  });

  it('runs both functions as the role from vars and logs to the configured logstore', () => {
    for (const fn of FUNCTIONS) {
      // Prepare
      const p = props(fn);

      // Assess
      expect(p.role).toBe(vars().functionRole);
      expect(p.role).toMatch(new RegExp(`^acs:ram::${TEST_ACCOUNT}:role/[A-Za-z0-9.-]+$`));
      expect(p.logConfig).toMatchObject({ project: vars().logProject, logstore: vars().logStore });
    }
  });
});
