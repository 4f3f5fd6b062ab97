/**
 * Builds the real dependencies (gateways over the SDKs) from settings and credentials. Only the
 * functions and the CLI call this; core code receives what it builds.
 */
import type { Logger } from 'pino';
import type { AuditDeps } from './audit/deps.js';
import type { Credentials } from './cloud/credentials.js';
import { KmsGateway } from './cloud/kms.js';
import { OssGateway } from './cloud/oss.js';
import type { RetryOptions } from './cloud/retry.js';
import type { Settings } from './config.js';

export interface Runtime extends AuditDeps {
  oss: OssGateway;
  kms: KmsGateway;
}

export function buildRuntime(
  settings: Settings,
  credentials: Credentials,
  logger: Logger,
  retry?: RetryOptions,
): Runtime {
  return {
    oss: new OssGateway({
      credentials,
      endpoint: settings.ossEndpoint,
      authorizationV4: settings.ossSignatureV4,
      homeRegion: settings.homeRegion,
      logger,
      retry,
    }),
    kms: new KmsGateway({ credentials, endpoint: settings.kmsEndpoint, retry }),
    logger,
  };
}
