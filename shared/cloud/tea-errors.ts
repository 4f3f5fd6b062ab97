/**
 * Turns an error of a Tea/OpenAPI V3 client (@alicloud/openapi-core: `code`, `statusCode`, `data` with the
 * POP JSON error body) into our CloudError. Used by the STS and Resource Manager gateways.
 */
import { CloudError } from '../errors.js';
import { isThrottlingCode } from './cloud-error.js';

interface TeaErrorShape {
  code?: string;
  statusCode?: number;
  message?: string;
  data?: { Code?: string; RequestId?: string; Message?: string };
}

export function teaCloudError(err: unknown, subject: string): CloudError {
  if (err instanceof CloudError) return err;
  const e = (err ?? {}) as TeaErrorShape;
  const code = e.data?.Code ?? e.code ?? 'NetworkError';
  const status = typeof e.statusCode === 'number' ? e.statusCode : -1;
  const requestId = e.data?.RequestId;
  const retryable = status === -1 || status >= 500 || status === 429 || isThrottlingCode(code);
  // The service's own message names the problem (role not found, not trusted); it carries no secret.
  const detail = e.data?.Message ? `: ${e.data.Message}` : '';
  return new CloudError(
    `${subject}: ${code} (${status})${detail}${requestId ? `, request id ${requestId}` : ''}`,
    { code, status, requestId, retryable },
    { cause: err },
  );
}

/** The client class of a CommonJS Tea SDK under ESM (one `default` deeper under Node; vitest unwraps one). */
export function teaClientClass<T>(mod: { default: unknown }): T {
  const outer = mod.default as T | { default: T };
  return (typeof outer === 'function' ? outer : (outer as { default: T }).default) as T;
}

/** The Tea/OpenAPI client config: our credentials, an endpoint override (`http://127.0.0.1:PORT`) or the host. */
export function teaConfig(
  opts: {
    credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string };
    endpoint?: string;
    timeoutMs?: number;
  },
  defaultHost: string,
): Record<string, unknown> {
  const override = opts.endpoint ? new URL(opts.endpoint) : undefined;
  const { credentials } = opts;
  return {
    accessKeyId: credentials.accessKeyId,
    accessKeySecret: credentials.accessKeySecret,
    ...(credentials.securityToken ? { securityToken: credentials.securityToken } : {}),
    endpoint: override ? override.host : defaultHost,
    protocol: override ? override.protocol.replace(':', '') : 'https',
    readTimeout: opts.timeoutMs ?? 10_000,
    connectTimeout: opts.timeoutMs ?? 10_000,
  };
}
