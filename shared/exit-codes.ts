/**
 * The exit codes of every `oss-sse-guard` command, one table (DESIGN.md sections 4 and 7). What "not met"
 * means is the command's own (non-compliant buckets, an unencrypted object, objects remaining, something
 * missing for doctor, an undo step skipped); the codes are the same everywhere. Imports nothing.
 */
export const EXIT = {
  /** Everything checked meets the requirement, or the command did what it was asked. */
  ok: 0,
  /** Something checked does not meet the requirement (the command says what). */
  notMet: 1,
  /** Usage, configuration or policy error: nothing was called, nothing changed. */
  usage: 2,
  /** Some of it could not be checked or done: its state is unknown. */
  unchecked: 3,
} as const;

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
