/**
 * The environment a function sees in the tests: the emulators' endpoints, optionally a policy, and no
 * access key of its own (a function must use its context's STS credentials).
 */
import FC from '@alicloud/fc2';
import { vi } from 'vitest';
import type { Emulators } from '../../emulator/index.js';

export function stubFunctionEnv(emu: Emulators, policy?: string): void {
  vi.stubEnv('OSS_SSE_GUARD_OSS_ENDPOINT', emu.oss.url);
  vi.stubEnv('OSS_SSE_GUARD_KMS_ENDPOINT', emu.kms.url);
  vi.stubEnv('OSS_SSE_GUARD_FC_ENDPOINT', emu.fc.url);
  if (policy !== undefined) vi.stubEnv('OSS_SSE_GUARD_POLICY', policy);
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', '');
  vi.stubEnv('LOG_LEVEL', 'silent');
}

/** A real @alicloud/fc2 client signed with the emulators' account key, pointed at the FC emulator. */
export function fcClient(emu: Emulators): FC {
  return new FC(emu.accountId, {
    accessKeyID: emu.credentials.accessKeyId,
    accessKeySecret: emu.credentials.accessKeySecret,
    region: 'cn-hangzhou',
    endpoint: emu.fc.url,
  });
}
