/**
 * Error classes, one per kind of failure, each with `name` set and the cause kept. Messages name the
 * subject and what was expected.
 */

import { escapeControl } from './safe-text.js';

export class SseGuardError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** A policy that cannot be used: every problem is one line `path: message`. */
export class PolicyError extends SseGuardError {
  readonly problems: string[];
  /** Where the policy came from (a path, `oss://bucket/key`, `inline`), control characters escaped. */
  readonly source: string;
  constructor(source: string, problems: string[], options?: { cause?: unknown }) {
    // Escaped here, once for every caller: a problem line stays one line whatever the policy held.
    const safe = problems.map(escapeControl);
    const from = escapeControl(source);
    super(`Policy ${from} is invalid:\n${safe.map((p) => `  ${p}`).join('\n')}`, options);
    this.problems = safe;
    this.source = from;
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
