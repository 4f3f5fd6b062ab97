/**
 * `oss-sse-guard sandbox [--config s.yaml]`: the deployed shape of s.yaml in the embedded emulators, with
 * every trigger wired (emulator/sandbox/). Prints the endpoints (as `export` lines, so the CLI or the SDKs
 * can be pointed at it), the functions and their triggers, then each delivery, invocation and alert as it
 * happens, until Ctrl-C. `--fire NAME` fires a timer trigger at start; `--speed N` runs the sandbox clock N
 * times faster than real time, so timers come round in a demo.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError } from '../shared/errors.js';
import { matching, parseFlags } from './flags.js';
import { type CommandSpec, runCommand } from './run.js';

export interface SandboxFlags {
  config?: string;
  policy?: string;
  var?: string[];
  fire?: string[];
  speed?: string;
  build?: boolean;
}

const sandboxFlagsSchema = z.object({
  var: z
    .array(matching(/^[^=]+=/, (v) => `"${v}" must be name=value (a dotted path under s.yaml vars)`))
    .default([])
    .transform((list) =>
      Object.fromEntries(list.map((v) => [v.slice(0, v.indexOf('=')), v.slice(v.indexOf('=') + 1)])),
    ),
  speed: z
    .string()
    .default('1')
    .transform((v, ctx) => {
      const n = Number(v);
      if (n >= 1 && n <= 1_000_000) return n;
      ctx.addIssue({ code: 'custom', message: `"${v}" must be a number from 1 to 1000000` });
      return z.NEVER;
    }),
});

/** A sandbox that cannot start (a bad s.yaml, vars or policy) is a usage error, 2; any other failure 1. */
const SANDBOX: CommandSpec = { failure: 'the sandbox stopped', failedCode: 1 };

export function sandboxCommand(flags: SandboxFlags): Promise<number> {
  return runCommand(SANDBOX, () => sandbox(flags));
}

async function sandbox(flags: SandboxFlags): Promise<number> {
  const { var: vars, speed } = parseFlags(sandboxFlagsSchema, flags);
  let policyText: string | undefined;
  if (flags.policy) {
    try {
      policyText = readFileSync(flags.policy, 'utf8');
    } catch (err) {
      throw new ConfigError(`--policy: cannot read "${flags.policy}": ${(err as Error).message}`);
    }
  }
  const started = Date.now();
  const now = () => new Date(started + (Date.now() - started) * speed);
  // The emulator is loaded only by the commands that run it (docs/architecture.md).
  const { startSandbox } = await import('../emulator/sandbox/index.js');
  const out = (s: string) => process.stdout.write(`${s}\n`);
  let sb: Awaited<ReturnType<typeof startSandbox>>;
  try {
    sb = await startSandbox({
      ...(flags.config ? { config: flags.config } : {}),
      ...(policyText ? { policyText } : {}),
      vars,
      now,
      build: flags.build === true,
      onDelivery: (d) =>
        out(`[trigger] ${d.kind} ${d.trigger} -> ${d.fn} (${d.what}) request ${d.requestId}`),
      onAlert: (a) =>
        out(`[alert] ${String(a.body.severity ?? '')} ${String(a.body.title ?? JSON.stringify(a.body))}`),
      onLog: (l) => {
        if (
          l.line.level === 'error' ||
          l.line.level === 'warn' ||
          /done|handled|checked/.test(String(l.line.msg))
        ) {
          out(
            `[${l.fn}] ${String(l.line.level)} ${String(l.line.msg)}${l.line.bucket ? ` ${String(l.line.bucket)}` : ''}${l.line.key ? `/${String(l.line.key)}` : ''}`,
          );
        }
      },
    });
  } catch (err) {
    throw new ConfigError((err as Error).message, { cause: err });
  }
  out(`sandbox running (s.yaml rendered by ${sb.shape.renderer}); point the CLI or an SDK at it with:`);
  for (const [k, v] of Object.entries(sb.emulators.env)) out(`  export ${k}=${v}`);
  for (const f of sb.functions) {
    const triggers = f.spec.triggers.map((t) =>
      t.type === 'oss'
        ? `oss ${t.bucket} [${t.prefix || '*'}…${t.suffix || '*'}]`
        : t.type === 'timer'
          ? `timer ${t.name} "${t.cron}" next ${sb.nextTimer(t.name)?.toISOString()}`
          : `eventbridge ${t.name}`,
    );
    out(
      `function ${f.spec.functionName} (${f.spec.timeoutSec} s, ${f.spec.memorySize} MB): ${triggers.join('; ') || 'no trigger'}`,
    );
  }
  for (const name of flags.fire ?? []) {
    try {
      sb.fireTimer(name);
    } catch (err) {
      process.stderr.write(`error: --fire: ${(err as Error).message}\n`);
    }
  }
  let seen = 0;
  const timer = setInterval(() => {
    sb.tick();
    for (const i of sb.emulators.fc.invocations.slice(seen)) {
      out(
        `[invocation] ${i.fn} attempt ${i.attempt}: ${i.status}${i.errorMessage ? ` - ${i.errorMessage.slice(0, 200)}` : ''}`,
      );
    }
    seen = sb.emulators.fc.invocations.length;
  }, 200);
  out('Ctrl-C to stop.');
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  clearInterval(timer);
  await sb.close();
  return 0;
}
