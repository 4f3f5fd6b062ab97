/**
 * The auditor side of the benchmark: the product's runtime pointed at the emulator process, with the OSS
 * gateway as shipped (`stock`) or as a proposal builds it (`lean`, `direct`; see bench/PROPOSALS.md), and
 * optionally the adaptive limit around every attempt.
 */
import type { AdaptiveLimit } from '../shared/cloud/adaptive-limit.js';
import type { RetryOptions } from '../shared/cloud/retry.js';
import { settingsFromEnv } from '../shared/config.js';
import { silentLogger } from '../shared/log.js';
import { buildRuntime, type Runtime } from '../shared/runtime.js';
import type { EmulatorProcess } from './emulator-process.js';
import { DirectEncryptionGateway } from './proposals/direct-gateway.js';
import { LeanEncryptionGateway } from './proposals/lean-gateway.js';
import { LimitedGateway } from './proposals/limited-gateway.js';

export type GatewayVariant = 'stock' | 'lean' | 'direct';

export interface AuditorOptions {
  variant?: GatewayVariant;
  limit?: AdaptiveLimit;
  retry?: RetryOptions;
}

/** A runtime like the CLI's (`buildRuntime`), its OSS gateway swapped for the variant asked for. */
export function benchRuntime(emu: EmulatorProcess, opts: AuditorOptions = {}): Runtime {
  const settings = settingsFromEnv(emu.env);
  const credentials = {
    accessKeyId: emu.endpoints.accessKeyId,
    accessKeySecret: emu.endpoints.accessKeySecret,
  };
  const logger = silentLogger();
  const runtime = buildRuntime(settings, credentials, logger, opts.retry);
  const variant = opts.variant ?? 'stock';
  if (variant === 'stock' && !opts.limit) return runtime;
  const gatewayOptions = {
    credentials,
    endpoint: settings.ossEndpoint,
    authorizationV4: settings.ossSignatureV4,
    homeRegion: settings.homeRegion,
    logger,
    ...(opts.retry ? { retry: opts.retry } : {}),
    ...(opts.limit ? { limit: opts.limit } : {}),
  };
  const Gateway =
    variant === 'direct'
      ? DirectEncryptionGateway
      : variant === 'lean'
        ? LeanEncryptionGateway
        : LimitedGateway;
  return { ...runtime, oss: new Gateway(gatewayOptions) };
}
