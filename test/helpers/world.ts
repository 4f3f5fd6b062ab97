/**
 * A test world: the three emulators plus the product's real runtime (gateways over the real SDKs)
 * pointed at them, with logs captured as parsed JSON objects (pino destination stream).
 */
import { Writable } from 'node:stream';
import { type Emulators, type EmulatorsOptions, startEmulators } from '../../emulator/index.js';
import type { RetryOptions } from '../../shared/cloud/retry.js';
import { settingsFromEnv } from '../../shared/config.js';
import { createLogger } from '../../shared/log.js';
import { policyFromText } from '../../shared/policy/load.js';
import { buildRuntime, type Runtime } from '../../shared/runtime.js';

export interface World {
  emu: Emulators;
  runtime: Runtime;
  logs: Array<Record<string, unknown>>;
  logger: ReturnType<typeof createLogger>;
  /** A runtime signed with other credentials (e.g. a key restricted by a RAM policy). */
  runtimeFor(credentials: { accessKeyId: string; accessKeySecret: string; securityToken?: string }): Runtime;
  close(): Promise<void>;
}

/** Fast retries for tests: same algorithm, millisecond delays. */
export const FAST_RETRY: RetryOptions = { baseMs: 1, capMs: 4, maxAttempts: 6 };

export async function startWorld(
  opts: EmulatorsOptions & { retry?: RetryOptions; env?: Record<string, string> } = {},
): Promise<World> {
  const emu = await startEmulators({ seed: 'empty', ...opts });
  const logs: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, cb) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) logs.push(JSON.parse(line));
      cb();
    },
  });
  const logger = createLogger({ level: 'debug', destination: sink });
  const settings = settingsFromEnv({ ...emu.env, ...opts.env });
  const retry = opts.retry ?? FAST_RETRY;
  return {
    emu,
    logs,
    logger,
    runtime: buildRuntime(settings, emu.credentials, logger, retry),
    runtimeFor: (credentials) => buildRuntime(settings, credentials, logger, retry),
    close: () => emu.close(),
  };
}

export const policyOf = (text: string) => policyFromText(text, 'test-policy.yaml');
