/**
 * The one runner of every `oss-sse-guard` command: the command's body returns its exit code (the one
 * table, shared/exit-codes.ts) and anything it throws is mapped here, once, to a message and an exit code.
 * A policy error is printed the same way by every command (`Policy <source> is invalid: <path>: <problem>`,
 * one line per problem, docs/hostile-input.md); a usage error names the flag; any other failure is one
 * line that says what could not be done, never a stack, with every secret of the environment masked.
 * What differs per command is data: the words of its failure line and, where documented, its code.
 */
import type { CommanderError } from 'commander';
import { scrubber } from '../shared/alerts/redact.js';
import { ConfigError, describeError, PolicyError } from '../shared/errors.js';
import { EXIT } from '../shared/exit-codes.js';

export interface CommandSpec {
  /** What could not happen, for the line an unexpected failure prints: `the audit could not run`. */
  failure: string;
  /**
   * The exit code of such a failure: `EXIT.unchecked` (3) for the commands that check something (their
   * state is then unknown); the others keep 1, the code of a failed run.
   */
  failedCode: number;
}

export interface ErrorExit {
  /** The lines for stderr, without their newline. */
  lines: string[];
  code: number;
}

/** Names of environment variables whose values are secrets (keys, tokens, webhook secrets). */
const SECRET_NAME = /SECRET|TOKEN|PASSWORD/i;

/** Masks the value of every secret-named environment variable wherever it occurs in a text. */
export function envScrubber(env: NodeJS.ProcessEnv): (text: string) => string {
  return scrubber(
    Object.entries(env)
      .filter(([name]) => SECRET_NAME.test(name))
      .map(([, value]) => value),
  );
}

/** A policy error as every command prints it: one line per problem, the source whole. */
export function policyLines(err: PolicyError): string[] {
  return err.problems.map((p) => `Policy ${err.source} is invalid: ${p}`);
}

/**
 * The one error-to-exit mapping:
 * - `PolicyError` -> its problem lines, 2;
 * - `ConfigError` (a bad flag or environment value, an unusable input file) -> `error: <message>`, 2;
 * - a `CloudError` or anything else -> `error: <failure>: <message>`, the command's failed code.
 */
export function errorExit(
  err: unknown,
  spec: CommandSpec,
  scrub: (text: string) => string = envScrubber(process.env),
): ErrorExit {
  let out: ErrorExit;
  if (err instanceof PolicyError) out = { lines: policyLines(err), code: EXIT.usage };
  else if (err instanceof ConfigError) out = { lines: [`error: ${err.message}`], code: EXIT.usage };
  else out = { lines: [`error: ${spec.failure}: ${describeError(err)}`], code: spec.failedCode };
  return { lines: out.lines.map(scrub), code: out.code };
}

/** Runs a command's body: its exit code, or the mapped error printed on stderr and its code. */
export async function runCommand(spec: CommandSpec, body: () => Promise<number>): Promise<number> {
  try {
    return await body();
  } catch (err) {
    const { lines, code } = errorExit(err, spec);
    for (const line of lines) process.stderr.write(`${line}\n`);
    return code;
  }
}

/** Commander's own errors: `--help` and `--version` exit 0; a usage error (already printed) exits 2. */
export function commanderExit(err: CommanderError): number {
  return err.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
