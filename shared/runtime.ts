/**
 * Builds the real dependencies (gateways over the SDKs) from settings and credentials. Only the
 * functions and the CLI call this; core code receives what it builds.
 */
import type { Logger } from 'pino';
import type { AuditDeps, KeyCallOptions, KeyInfo, KeyInspector } from './audit/deps.js';
import { AdaptiveLimit, isThrottling } from './cloud/adaptive-limit.js';
import type { Credentials } from './cloud/credentials.js';
import type { KmsGatewayOptions } from './cloud/kms.js';
import { OssGateway } from './cloud/oss.js';
import type { RetryOptions } from './cloud/retry.js';
import type { Settings } from './config.js';

export interface Runtime extends AuditDeps {
  oss: OssGateway;
  kms: KeyInspector;
}

/**
 * A KeyInspector that loads the KMS SDK on first use: the upload guard's cold start stays free of it
 * unless a CMK must be checked.
 */
export function lazyKms(opts: KmsGatewayOptions): KeyInspector {
  let gateway: Promise<KeyInspector> | undefined;
  return {
    describeKey(ref: string, region: string, call?: KeyCallOptions): Promise<KeyInfo> {
      gateway ??= import('./cloud/kms.js').then((m) => new m.KmsGateway(opts));
      return gateway.then((g) => g.describeKey(ref, region, call));
    },
  };
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
      // OSS answers its QPS limits with 503: halve the calls in flight, probe back up. 512 is the CLI's
      // highest --concurrency; the audit's own bound applies below it.
      limit: new AdaptiveLimit({ max: 512, isThrottle: isThrottling }),
    }),
    kms: lazyKms({ credentials, endpoint: settings.kmsEndpoint, retry }),
    logger,
  };
}

/**
 * One runtime per Function Compute instance, rebuilt when the context's STS credentials rotate (clients
 * are built once per instance, not per invocation).
 */
export class RuntimeCache {
  private entry: { accessKeyId: string; value: Runtime } | undefined;

  get(settings: Settings, credentials: Credentials, logger: Logger): Runtime {
    if (this.entry?.accessKeyId !== credentials.accessKeyId) {
      this.entry = {
        accessKeyId: credentials.accessKeyId,
        value: buildRuntime(settings, credentials, logger),
      };
    }
    return this.entry.value;
  }
}
