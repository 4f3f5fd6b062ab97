/**
 * Error classes, one per kind of failure, each with `name` set and the cause kept. Messages name the
 * subject and what was expected.
 */

export class SseGuardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A policy that cannot be used: every problem is one line `path: message`. */
export class PolicyError extends SseGuardError {
  readonly problems: string[];
  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    super(`Policy ${source} is invalid:\n${problems.map((p) => `  ${p}`).join('\n')}`, options);
    this.problems = problems;
  }
}

/** Bad configuration from the environment or the command line. */
export class ConfigError extends SseGuardError {}

/** A cloud call failed; normalised from the SDKs' own error shapes by the gateways. */
export class CloudError extends SseGuardError {
  readonly code: string;
  readonly status: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  /** How many attempts were made before giving up (set by the retry loop). */
  attempts = 1;
  constructor(
    message: string,
    fields: { code: string; status: number; requestId?: string; retryable: boolean },
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.code = fields.code;
    this.status = fields.status;
    this.requestId = fields.requestId;
    this.retryable = fields.retryable;
  }
}

/** Remediation could not be applied or verified. */
export class RemediationError extends SseGuardError {}

/** An OSS event could not be used. */
export class EventError extends SseGuardError {}

/** A short, secret-free description of any thrown value. */
export function describeError(err: unknown): string {
  if (err instanceof Error) return err.message;
  return String(err);
}
