/**
 * The sandbox: the deployed shape of s.yaml running in the emulators. Each fc3 function is registered in
 * the FC emulator with its handler, timeout, memory and environment, and runs its built bundle from its
 * code folder in an instance of its own (function-host.ts) with its role's credentials (roles.ts). Every
 * trigger is wired: OSS triggers fire on the object-creating operations their `events` and `filter.key`
 * select; timer triggers on their cron expression (or now, with `fireTimer`); EventBridge triggers on
 * bucket creation and the ActionTrail API-call events for Put/DeleteBucketEncryption, filtered by the
 * trigger's event pattern. Every trigger invokes asynchronously, with Function Compute's async retries.
 * Alerts go to a local webhook sink (webhook-sink.ts).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { policyFromText } from '../../shared/policy/load.js';
import type { RamPolicy } from '../core/accounts.js';
import { type Emulators, startEmulators } from '../index.js';
import { type FunctionLogLine, type HostedFunction, hostFunction } from './function-host.js';
import { issueRoleCredentials, roleGrants } from './roles.js';
import { type DeployedShape, type FunctionSpec, loadDeployedShape, type TriggerSpec } from './s-yaml.js';
import { nextFiring, timerEvent } from './timers.js';
import { type ReceivedAlert, startWebhookSink, type WebhookSink } from './webhook-sink.js';
import { triggerWiring } from './wiring.js';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

export interface SandboxOptions {
  /** s.yaml (default: the project's). */
  config?: string;
  /** The policy text put at the functions' OSS_SSE_GUARD_POLICY location (default examples/policy.yaml). */
  policyText?: string;
  /** Overrides of s.yaml `vars` (dotted paths), e.g. `{ dryRun: 'false' }`. */
  vars?: Record<string, string>;
  seed?: 'demo' | 'empty';
  /**
   * The clock of the timer triggers (default the system clock): tests and demos move it to fire timers
   * without waiting. The emulators keep real time (OSS refuses requests signed too far from its clock).
   */
  now?: () => Date;
  /** The policy text `ram-policy` was run with when the roles were made (default `policyText`). */
  rolePolicyText?: string;
  /** RAM policy documents by role name, replacing what `ram-policy` would grant that role. */
  rolePolicies?: Record<string, RamPolicy>;
  renderer?: 'auto' | 'serverless-devs' | 'local';
  /** Build the bundles first (default: only when a code folder has no index.js). */
  build?: boolean;
  onLog?: (line: FunctionLogLine) => void;
  onAlert?: (alert: ReceivedAlert) => void;
  onDelivery?: (d: Delivery) => void;
}

/** One trigger firing: what was delivered to which function. */
export interface Delivery {
  trigger: string;
  kind: TriggerSpec['type'];
  fn: string;
  requestId: string;
  /** The OSS event name, the EventBridge type, or the timer's time. */
  what: string;
}

export interface SandboxFunction {
  spec: FunctionSpec;
  /** The role session's access key id (the secret stays in the emulator's accounts). */
  accessKeyId: string;
}

export interface Sandbox {
  emulators: Emulators;
  /** Where the functions read the policy (`oss://bucket/key`), from their environment. */
  policyLocation?: string;
  shape: DeployedShape;
  functions: SandboxFunction[];
  webhook: WebhookSink;
  deliveries: Delivery[];
  logs: FunctionLogLine[];
  /** Fires the named timer trigger now; returns the invocation's request id. */
  fireTimer(triggerName: string): string;
  /** Fires every timer whose next time has come on the sandbox clock; returns their trigger names. */
  tick(): string[];
  /** When the named timer fires next. */
  nextTimer(triggerName: string): Date | undefined;
  /** Resolves when no invocation is queued, running or waiting for a retry. */
  idle(): Promise<void>;
  /**
   * Replaces a function's instance with a new one (as the platform does after a redeploy or when an idle
   * instance is reclaimed): per-instance state such as the loaded policy starts over.
   */
  recycle(functionName: string): Promise<void>;
  close(): Promise<void>;
}

async function ensureBundles(shape: DeployedShape, force: boolean): Promise<void> {
  const missing = shape.functions.some((f) => !existsSync(join(f.codeDir, 'index.js')));
  if (!force && !missing) return;
  if (shape.functions.some((f) => relative(join(ROOT, 'dist'), f.codeDir).startsWith('..'))) {
    if (missing) throw new Error('sandbox: a function code folder outside dist/ has no index.js');
    return;
  }
  const { buildFunctions } = await import('../../scripts/build.js');
  await buildFunctions(join(ROOT, 'dist'));
}

/** Starts the emulators and the deployed shape of `s.yaml` in them, with every trigger wired. */
export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const now = opts.now ?? (() => new Date());
  const emulators = await startEmulators({ seed: opts.seed ?? 'demo' });
  const deliveries: Delivery[] = [];
  const logs: FunctionLogLine[] = [];
  const hosts: HostedFunction[] = [];
  let webhook: WebhookSink | undefined;
  try {
    webhook = await startWebhookSink(opts.onAlert);
    const accountId = emulators.accountId;
    const shape = loadDeployedShape({
      path: opts.config ?? join(ROOT, 's.yaml'),
      accountId,
      env: { OSS_SSE_GUARD_WEBHOOK_URL: webhook.url },
      ...(opts.vars ? { vars: opts.vars } : {}),
      ...(opts.renderer ? { renderer: opts.renderer } : {}),
    });
    await ensureBundles(shape, opts.build === true);

    // The account the deployer prepared (docs/deploy.md): the policy at the functions'
    // OSS_SSE_GUARD_POLICY, the bucket of the report location, the watched buckets. Locations are read
    // from the functions' rendered environment, which is what runs (`vars` may render in fewer passes).
    const state = emulators.oss.state;
    const envOf = (name: string) =>
      shape.functions.map((f) => f.env[name]).find((v) => v?.startsWith('oss://'));
    const policyLocation = envOf('OSS_SSE_GUARD_POLICY');
    const reportLocation = envOf('OSS_SSE_GUARD_REPORT');
    const homeRegion = shape.functions[0]?.region ?? 'cn-hangzhou';
    const policyText = opts.policyText ?? readFileSync(join(ROOT, 'examples/policy.yaml'), 'utf8');
    for (const loc of [policyLocation, reportLocation]) {
      const bucket = loc ? /^oss:\/\/([^/]+)/.exec(loc)?.[1] : undefined;
      if (bucket && !state.getBucket(bucket))
        state.createBucket(bucket, homeRegion, { encryption: { algorithm: 'AES256' } });
    }
    const loc = /^oss:\/\/([^/]+)\/(.+)$/.exec(policyLocation ?? '');
    if (loc?.[1] && loc[2]) state.putObject(loc[1], loc[2], policyText, { contentType: 'text/yaml' });
    for (const f of shape.functions) {
      for (const t of f.triggers) {
        if (t.type === 'oss' && !state.getBucket(t.bucket)) state.createBucket(t.bucket, t.region);
      }
    }

    const grants = roleGrants(
      shape.functions,
      {
        policy: policyFromText(opts.rolePolicyText ?? policyText, policyLocation ?? 'sandbox policy').policy,
        ...(policyLocation ? { policyLocation } : {}),
        ...(reportLocation ? { reportLocation } : {}),
        accountId,
      },
      opts.rolePolicies,
    );
    const functions: SandboxFunction[] = [];
    const instances = new Map<string, HostedFunction>();
    const startInstance = (spec: FunctionSpec, creds: ReturnType<typeof issueRoleCredentials>) => {
      const host = hostFunction({
        name: spec.functionName,
        codeDir: spec.codeDir,
        handler: spec.handler,
        memorySize: spec.memorySize,
        env: {
          ...spec.env,
          // The platform's endpoints are the emulators'; nothing may ask a metadata service.
          ...emulators.env,
          ALIBABA_CLOUD_ACCESS_KEY_ID: '',
          ALIBABA_CLOUD_ACCESS_KEY_SECRET: '',
          ALIBABA_CLOUD_ECS_METADATA_DISABLED: 'true',
          FC_FUNCTION_NAME: spec.functionName,
          FC_REGION: spec.region,
        },
        onLog: (l) => {
          logs.push(l);
          opts.onLog?.(l);
        },
      });
      instances.set(spec.functionName, host);
      hosts.push(host);
      emulators.fc.register('', spec.functionName, host.handler, {
        timeoutSec: spec.timeoutSec,
        memorySize: spec.memorySize,
        region: spec.region,
        handlerName: spec.handler,
        credentials: {
          accessKeyId: creds.accessKeyId,
          accessKeySecret: creds.accessKeySecret,
          securityToken: creds.securityToken,
        },
      });
    };
    const roleKeys = new Map<string, ReturnType<typeof issueRoleCredentials>>();
    for (const spec of shape.functions) {
      const grant = grants.get(spec.role ?? '(none)');
      if (!grant) throw new Error(`sandbox: no grant for role ${spec.role}`);
      const creds = issueRoleCredentials(emulators.accounts, grant);
      roleKeys.set(spec.functionName, creds);
      startInstance(spec, creds);
      functions.push({ spec, accessKeyId: creds.accessKeyId });
    }

    const deliver = (t: TriggerSpec, f: FunctionSpec, event: Buffer, what: string) => {
      const requestId = emulators.fc.invokeAsync('', f.functionName, event);
      const d: Delivery = { trigger: t.name, kind: t.type, fn: f.functionName, requestId, what };
      deliveries.push(d);
      opts.onDelivery?.(d);
      return requestId;
    };

    // OSS triggers and EventBridge, from what the OSS emulator answered.
    emulators.oss.observe(
      triggerWiring({ state, accountId, now: () => new Date(), functions: shape.functions, deliver }),
    );

    // Timers, on the sandbox clock.
    const timers = new Map<
      string,
      { t: Extract<TriggerSpec, { type: 'timer' }>; f: FunctionSpec; next: Date }
    >();
    for (const f of shape.functions) {
      for (const t of f.triggers) {
        if (t.type === 'timer' && t.enabled) timers.set(t.name, { t, f, next: nextFiring(t.cron, now()) });
      }
    }
    const fire = (name: string, at: Date): string => {
      const timer = timers.get(name);
      if (!timer)
        throw new Error(
          `sandbox: no enabled timer trigger "${name}" (have: ${[...timers.keys()].join(', ') || 'none'})`,
        );
      return deliver(timer.t, timer.f, timerEvent(name, at, timer.t.payload), at.toISOString());
    };

    const sink = webhook;
    return {
      emulators,
      ...(policyLocation ? { policyLocation } : {}),
      shape,
      functions,
      webhook: sink,
      deliveries,
      logs,
      fireTimer: (name) => fire(name, now()),
      tick() {
        const fired: string[] = [];
        const at = now();
        for (const [name, timer] of timers) {
          if (timer.next.getTime() > at.getTime()) continue;
          fire(name, timer.next);
          timer.next = nextFiring(timer.t.cron, at);
          fired.push(name);
        }
        return fired;
      },
      nextTimer: (name) => timers.get(name)?.next,
      idle: () => emulators.fc.idle(),
      async recycle(functionName) {
        const spec = shape.functions.find((f) => f.functionName === functionName);
        const creds = roleKeys.get(functionName);
        if (!spec || !creds) throw new Error(`sandbox: no function "${functionName}"`);
        await emulators.fc.idle();
        await instances.get(functionName)?.close();
        startInstance(spec, creds);
      },
      async close() {
        await emulators.fc.idle().catch(() => {});
        await Promise.all(hosts.map((h) => h.close()));
        await sink.close();
        await emulators.close();
      },
    };
  } catch (err) {
    await Promise.all(hosts.map((h) => h.close()));
    await webhook?.close();
    await emulators.close();
    throw err;
  }
}
