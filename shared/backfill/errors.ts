/** Backfill failures: one class, with the cause kept (shared/errors.ts holds the other areas'). */
import { SseGuardError } from '../errors.js';

/**
 * A backfill step or run could not go on: a retryable cloud error stopped a worker (Function Compute
 * retries it from its last checkpoint), a run's files are missing or inconsistent, or dispatch failed.
 */
export class BackfillError extends SseGuardError {}
