/**
 * Reads the deployed shape from `s.yaml`: each fc3 function (handler, timeout, memory, environment, role,
 * code folder) and its triggers. Rendering prefers Serverless Devs' own parser (`s preview -o json`, the
 * @serverless-devs/s CLI, run offline with an empty HOME exactly as test/deploy/s-yaml.test.ts does), so
 * variables, `${env(...)}`, YAML anchors and merge keys resolve as `s deploy` resolves them. Where that
 * CLI is not installed (the published package has no dev dependencies) a local renderer resolves the same
 * subset this file uses: `${vars.a.b}`, `${env('NAME', 'default')}` and `${config('AccountID')}`.
 * `${config('AccountID')}` (left as text by `s preview` without an access) becomes the sandbox's account.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse, parseDocument } from 'yaml';

type Json = unknown;
type Obj = Record<string, Json>;

export interface TimerTriggerSpec {
  type: 'timer';
  name: string;
  cron: string;
  payload?: string;
  enabled: boolean;
}

export interface OssTriggerSpec {
  type: 'oss';
  name: string;
  bucket: string;
  region: string;
  accountId: string;
  /** `oss:ObjectCreated:PutObject` ...; `*` wildcards allowed (fc3 OSSTriggerConfig `events`). */
  events: string[];
  prefix: string;
  suffix: string;
}

export interface EventBridgeTriggerSpec {
  type: 'eventbridge';
  name: string;
  pattern: Obj;
  enabled: boolean;
}

export type TriggerSpec = TimerTriggerSpec | OssTriggerSpec | EventBridgeTriggerSpec;

export interface FunctionSpec {
  /** The resource name in s.yaml (`upload-guard`). */
  resource: string;
  /** The deployed function name (`oss-sse-guard-upload-guard`). */
  functionName: string;
  region: string;
  /** Absolute path of the code folder. */
  codeDir: string;
  handler: string;
  runtime: string;
  timeoutSec: number;
  memorySize: number;
  env: Record<string, string>;
  role?: string;
  maxAsyncRetryAttempts?: number;
  triggers: TriggerSpec[];
}

export interface DeployedShape {
  vars: Obj;
  functions: FunctionSpec[];
  /** `serverless-devs` when `s preview` rendered it, `local` otherwise. */
  renderer: 'serverless-devs' | 'local';
}

export interface LoadShapeOptions {
  /** Path of s.yaml. */
  path: string;
  accountId: string;
  /** The deployer's environment, for `${env(...)}` (alert URLs and secrets). */
  env?: Record<string, string>;
  /** Overrides of `vars` before rendering, by dotted path (`dryRun`, `watched.primary.prefix`). */
  vars?: Record<string, string>;
  /** `auto` (default): Serverless Devs when installed, else local. */
  renderer?: 'auto' | 'serverless-devs' | 'local';
}

export class SYamlError extends Error {
  override name = 'SYamlError';
}

// biome-ignore lint/suspicious/noTemplateCurlyInString: Serverless Devs template syntax, not a JS template
const ACCOUNT_MARKER = "${config('AccountID')}";

function sCli(): string | undefined {
  try {
    const req = createRequire(import.meta.url);
    const path = join(dirname(req.resolve('@serverless-devs/s/package.json')), 'bin', 's');
    return existsSync(path) ? path : undefined;
  } catch {
    return undefined;
  }
}

function withVars(text: string, vars: Record<string, string> | undefined): string {
  if (!vars || Object.keys(vars).length === 0) return text;
  const doc = parseDocument(text, { merge: true });
  for (const [path, value] of Object.entries(vars)) doc.setIn(['vars', ...path.split('.')], value);
  return doc.toString();
}

function renderWithServerlessDevs(cli: string, text: string, env: Record<string, string>): Obj {
  const work = mkdtempSync(join(tmpdir(), 'oss-sse-guard-sandbox-'));
  try {
    writeFileSync(join(work, 's.yaml'), text);
    // One spawn, bounded: the CLI renders offline in about a second; the timeout ends it if not.
    const run = spawnSync(
      process.execPath,
      [cli, 'preview', '-t', join(work, 's.yaml'), '-o', 'json', '--silent'],
      {
        cwd: work,
        encoding: 'utf8',
        timeout: 30_000,
        env: { PATH: process.env.PATH ?? '', HOME: work, USERPROFILE: work, NODE_ENV: 'test', ...env },
      },
    );
    const out = run.stdout ?? '';
    if (run.status !== 0)
      throw new SYamlError(`s preview failed (exit ${run.status}): ${(run.stderr ?? '').slice(0, 400)}`);
    return JSON.parse(out.slice(Math.max(0, out.indexOf('{')))) as Obj;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function lookup(root: Json, path: string[]): Json {
  let v = root;
  for (const p of path) v = v && typeof v === 'object' ? (v as Obj)[p] : undefined;
  return v;
}

/** The local renderer: `${vars.x}`, `${env('X', 'd')}`, `${config('AccountID')}` in every string. */
function renderLocally(text: string, env: Record<string, string>): Obj {
  const raw = parse(text, { merge: true }) as Obj;
  const expr = (inner: string, vars: Json): string | undefined => {
    const e = inner.trim();
    if (e.startsWith('vars.')) {
      const v = lookup(vars, e.slice(5).split('.'));
      return v === undefined || v === null ? undefined : String(v);
    }
    const envCall = /^env\(\s*'([^']*)'\s*(?:,\s*'([^']*)'\s*)?\)$/.exec(e);
    if (envCall) return env[envCall[1] ?? ''] ?? envCall[2] ?? '';
    if (/^config\(\s*'AccountID'\s*\)$/.test(e)) return ACCOUNT_MARKER;
    return undefined;
  };
  const walk = (v: Json, vars: Json): Json => {
    if (typeof v === 'string')
      return v.replace(/\$\{([^{}]+)\}/g, (m, inner: string) => expr(inner, vars) ?? m);
    if (Array.isArray(v)) return v.map((x) => walk(x, vars));
    if (v && typeof v === 'object')
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x, vars)]));
    return v;
  };
  // Vars may refer to vars: resolve them until nothing changes (bounded by their depth).
  let vars: Json = raw.vars ?? {};
  for (let i = 0; i < 10; i++) {
    const next = walk(vars, vars);
    if (JSON.stringify(next) === JSON.stringify(vars)) break;
    vars = next;
  }
  return { ...raw, vars, resources: walk(raw.resources ?? {}, vars) } as Obj;
}

const str = (v: Json, what: string): string => {
  if (typeof v !== 'string' || v === '') throw new SYamlError(`s.yaml: ${what} must be a non-empty string`);
  return v;
};

function triggersOf(resource: string, props: Obj, region: string): TriggerSpec[] {
  const list = Array.isArray(props.triggers) ? (props.triggers as Obj[]) : [];
  return list.map((t, i) => {
    const where = `resources.${resource}.props.triggers[${i}]`;
    const name = str(t.triggerName, `${where}.triggerName`);
    const cfg = (t.triggerConfig ?? {}) as Obj;
    if (t.triggerType === 'timer') {
      return {
        type: 'timer',
        name,
        cron: str(cfg.cronExpression, `${where}.triggerConfig.cronExpression`),
        ...(typeof cfg.payload === 'string' ? { payload: cfg.payload } : {}),
        enabled: cfg.enable !== false,
      };
    }
    if (t.triggerType === 'oss') {
      const arn = str(t.sourceArn, `${where}.sourceArn`).split(':');
      const key = ((cfg.filter as Obj | undefined)?.key ?? {}) as Obj;
      return {
        type: 'oss',
        name,
        region: arn[2] || region,
        accountId: arn[3] ?? '',
        bucket: str(arn.slice(4).join(':'), `${where}.sourceArn bucket`),
        events: Array.isArray(cfg.events) ? cfg.events.map(String) : [],
        prefix: typeof key.prefix === 'string' ? key.prefix : '',
        suffix: typeof key.suffix === 'string' ? key.suffix : '',
      };
    }
    if (t.triggerType === 'eventbridge') {
      const text = str(cfg.eventRuleFilterPattern, `${where}.triggerConfig.eventRuleFilterPattern`);
      let pattern: Obj;
      try {
        pattern = JSON.parse(text) as Obj;
      } catch {
        throw new SYamlError(`s.yaml: ${where}.triggerConfig.eventRuleFilterPattern is not JSON`);
      }
      return { type: 'eventbridge', name, pattern, enabled: cfg.triggerEnable !== false };
    }
    throw new SYamlError(
      `s.yaml: ${where}.triggerType "${String(t.triggerType)}" is not modelled by the sandbox`,
    );
  });
}

/** Loads and renders s.yaml into the functions and triggers the sandbox registers. */
export function loadDeployedShape(opts: LoadShapeOptions): DeployedShape {
  const path = resolve(opts.path);
  let text: string;
  try {
    text = withVars(readFileSync(path, 'utf8'), opts.vars);
  } catch (err) {
    throw new SYamlError(`s.yaml: cannot read "${path}": ${(err as Error).message}`);
  }
  const env = opts.env ?? {};
  const cli = opts.renderer === 'local' ? undefined : sCli();
  if (opts.renderer === 'serverless-devs' && !cli)
    throw new SYamlError('s.yaml: @serverless-devs/s is not installed');
  const rendered = cli ? renderWithServerlessDevs(cli, text, env) : renderLocally(text, env);
  const doc = JSON.parse(JSON.stringify(rendered).split(ACCOUNT_MARKER).join(opts.accountId)) as Obj;
  const base = dirname(path);
  const functions: FunctionSpec[] = [];
  for (const [resource, r] of Object.entries((doc.resources ?? {}) as Record<string, Obj>)) {
    if (r.component !== 'fc3') continue;
    const props = (r.props ?? {}) as Obj;
    const region = str(props.region, `resources.${resource}.props.region`);
    const envVars = Object.fromEntries(
      Object.entries((props.environmentVariables ?? {}) as Obj).map(([k, v]) => [k, String(v ?? '')]),
    );
    const retries = (props.asyncInvokeConfig as Obj | undefined)?.maxAsyncRetryAttempts;
    functions.push({
      resource,
      functionName: str(props.functionName, `resources.${resource}.props.functionName`),
      region,
      codeDir: resolve(base, str(props.code, `resources.${resource}.props.code`)),
      handler: typeof props.handler === 'string' ? props.handler : 'index.handler',
      runtime: typeof props.runtime === 'string' ? props.runtime : 'nodejs20',
      timeoutSec: typeof props.timeout === 'number' ? props.timeout : 3,
      memorySize: typeof props.memorySize === 'number' ? props.memorySize : 512,
      env: envVars,
      ...(typeof props.role === 'string' && props.role ? { role: props.role } : {}),
      ...(typeof retries === 'number' ? { maxAsyncRetryAttempts: retries } : {}),
      triggers: triggersOf(resource, props, region),
    });
  }
  return { vars: (doc.vars ?? {}) as Obj, functions, renderer: cli ? 'serverless-devs' : 'local' };
}
