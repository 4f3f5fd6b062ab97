/**
 * The environment a function sees in the tests: the emulators' endpoints, optionally a policy, and no
 * access key of its own (a function must use its context's STS credentials).
 */
import { vi } from 'vitest';
import type { Emulators } from '../emulator/index.js';

export function stubFunctionEnv(emu: Emulators, policy?: string): void {
  vi.stubEnv('OSS_SSE_GUARD_OSS_ENDPOINT', emu.oss.url);
  vi.stubEnv('OSS_SSE_GUARD_KMS_ENDPOINT', emu.kms.url);
  vi.stubEnv('OSS_SSE_GUARD_FC_ENDPOINT', emu.fc.url);
  if (policy !== undefined) vi.stubEnv('OSS_SSE_GUARD_POLICY', policy);
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', '');
  vi.stubEnv('LOG_LEVEL', 'silent');
}
