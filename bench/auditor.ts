/**
 * The auditor side of the benchmark: the product's runtime (`buildRuntime`, as the CLI and the functions
 * build it) pointed at the emulator process. `direct` swaps in the not-adopted hand-written GET
 * (bench/not-adopted/) for an optional comparison; the shipped runtime is the default.
 */
import { AdaptiveLimit, isThrottling } from '../shared/cloud/adaptive-limit.js';
import type { RetryOptions } from '../shared/cloud/retry.js';
import { settingsFromEnv } from '../shared/config.js';
import { silentLogger } from '../shared/log.js';
import { buildRuntime, type Runtime } from '../shared/runtime.js';
import type { EmulatorProcess } from './emulator-process.js';
import { DirectEncryptionGateway } from './not-adopted/direct-gateway.js';

/** `shipped`: the product as built; `direct`: GetBucketEncryption through the not-adopted hand-signed GET. */
export type GatewayVariant = 'shipped' | 'direct';

export interface AuditorOptions {
  variant?: GatewayVariant;
  retry?: RetryOptions;
}

/** A runtime like the CLI's, optionally with the OSS gateway swapped for the not-adopted comparison. */
export function benchRuntime(emu: EmulatorProcess, opts: AuditorOptions = {}): Runtime {
  const settings = settingsFromEnv(emu.env);
  const credentials = {
    accessKeyId: emu.endpoints.accessKeyId,
    accessKeySecret: emu.endpoints.accessKeySecret,
  };
  const logger = silentLogger();
  const runtime = buildRuntime(settings, credentials, logger, opts.retry);
  if ((opts.variant ?? 'shipped') === 'shipped') return runtime;
  // The same options buildRuntime gives the gateway, its own adaptive limit included.
  const oss = new DirectEncryptionGateway({
    credentials,
    endpoint: settings.ossEndpoint,
    authorizationV4: settings.ossSignatureV4,
    homeRegion: settings.homeRegion,
    logger,
    retry: opts.retry,
    limit: new AdaptiveLimit({ max: 512, isThrottle: isThrottling }),
  });
  return { ...runtime, oss };
}
