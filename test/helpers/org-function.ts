/**
 * The environment of the bucket auditor function in the organization fan-out suites: every emulator's
 * endpoint, the auditor's own name (it invokes itself), the policy and the shared report location, and no
 * static AccessKey (the function runs on its role's STS credentials).
 */
import { vi } from 'vitest';
import type { World } from './world.js';

export function stubAuditorEnv(
  world: World,
  opts: { auditor: string; policy: string; report: string },
): void {
  const { emu } = world;
  vi.stubEnv('OSS_SSE_GUARD_OSS_ENDPOINT', emu.oss.url);
  vi.stubEnv('OSS_SSE_GUARD_KMS_ENDPOINT', emu.kms.url);
  vi.stubEnv('OSS_SSE_GUARD_FC_ENDPOINT', emu.fc.url);
  vi.stubEnv('OSS_SSE_GUARD_STS_ENDPOINT', emu.sts.url);
  vi.stubEnv('OSS_SSE_GUARD_RESOURCEMANAGER_ENDPOINT', emu.resourceManager.url);
  vi.stubEnv('OSS_SSE_GUARD_AUDITOR_FUNCTION', opts.auditor);
  vi.stubEnv('OSS_SSE_GUARD_POLICY', opts.policy);
  vi.stubEnv('OSS_SSE_GUARD_REPORT', opts.report);
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_ID', '');
  vi.stubEnv('ALIBABA_CLOUD_ACCESS_KEY_SECRET', '');
  vi.stubEnv('LOG_LEVEL', 'silent');
}
