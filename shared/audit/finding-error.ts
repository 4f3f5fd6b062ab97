/** A thrown value as a finding's secret-free error record. */
import { CloudError, describeError } from '../errors.js';
import type { FindingError } from '../model.js';

export function findingError(err: unknown): FindingError {
  if (err instanceof CloudError) {
    return {
      code: err.code,
      message: err.message,
      status: err.status,
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  }
  return { code: 'InternalError', message: describeError(err) };
}
