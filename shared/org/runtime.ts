/**
 * Builds an organization run's real dependencies (the Resource Manager and STS gateways, and one audit
 * runtime per member's credentials) from settings. Only the functions and the CLI call this.
 */
import type { Logger } from 'pino';
import type { Credentials } from '../cloud/credentials.js';
import { ResourceManagerGateway } from '../cloud/resource-manager.js';
import type { RetryOptions } from '../cloud/retry.js';
import { StsGateway } from '../cloud/sts.js';
import type { Settings } from '../config.js';
import { buildRuntime } from '../runtime.js';
import type { OrgDeps } from './run.js';

export function buildOrgDeps(
  settings: Settings,
  credentials: Credentials,
  logger: Logger,
  retry?: RetryOptions,
): OrgDeps {
  return {
    directory: new ResourceManagerGateway({ credentials, endpoint: settings.resourceManagerEndpoint, retry }),
    sts: new StsGateway({ credentials, endpoint: settings.stsEndpoint, retry }),
    depsFor: (member) => buildRuntime(settings, member, logger, retry),
    logger,
  };
}
