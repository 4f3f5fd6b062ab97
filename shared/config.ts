/**
 * Settings from the environment (DESIGN.md section 4). Read once per process or invocation; validated
 * here so a bad value is reported by name before any cloud call.
 */
import { ConfigError } from './errors.js';

export interface Settings {
  ossEndpoint?: string;
  kmsEndpoint?: string;
  fcEndpoint?: string;
  /** OSS_SSE_GUARD_STS_ENDPOINT / OSS_SSE_GUARD_RESOURCEMANAGER_ENDPOINT (organization runs). */
  stsEndpoint?: string;
  resourceManagerEndpoint?: string;
  /** `--policy` / OSS_SSE_GUARD_POLICY: a path, `oss://bucket/key`, or inline YAML/JSON. */
  policyRef?: string;
  /** OSS_SSE_GUARD_REPORT: a local folder or `oss://bucket/prefix`. */
  reportLocation?: string;
  dryRun: boolean;
  /** OSS_SSE_GUARD_SIGNATURE=v4 signs OSS requests with V4. */
  ossSignatureV4: boolean;
  /** OSS_SSE_GUARD_HOME_REGION: where account-wide calls go (default cn-hangzhou). */
  homeRegion: string;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  if (!v) return undefined;
  try {
    const u = new URL(v.includes('://') ? v : `http://${v}`);
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error('not http(s)');
    return v.includes('://') ? v.replace(/\/+$/, '') : `http://${v}`;
  } catch {
    throw new ConfigError(`${name}: "${v}" is not an http(s) URL`);
  }
}

export function parseBoolean(name: string, value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  const v = value.trim().toLowerCase();
  if (['1', 'true', 'yes', 'on'].includes(v)) return true;
  if (['0', 'false', 'no', 'off'].includes(v)) return false;
  throw new ConfigError(`${name}: "${value}" is not a boolean; expected true or false`);
}

export function settingsFromEnv(env: NodeJS.ProcessEnv = process.env): Settings {
  const signature = env.OSS_SSE_GUARD_SIGNATURE?.trim().toLowerCase();
  if (signature && signature !== 'v1' && signature !== 'v4') {
    throw new ConfigError(`OSS_SSE_GUARD_SIGNATURE: "${env.OSS_SSE_GUARD_SIGNATURE}" must be v1 or v4`);
  }
  const home = env.OSS_SSE_GUARD_HOME_REGION?.trim() || 'cn-hangzhou';
  if (!/^[a-z0-9-]+$/.test(home))
    throw new ConfigError(`OSS_SSE_GUARD_HOME_REGION: "${home}" is not a region id`);
  return {
    ossEndpoint: url(env, 'OSS_SSE_GUARD_OSS_ENDPOINT'),
    kmsEndpoint: url(env, 'OSS_SSE_GUARD_KMS_ENDPOINT'),
    fcEndpoint: url(env, 'OSS_SSE_GUARD_FC_ENDPOINT'),
    stsEndpoint: url(env, 'OSS_SSE_GUARD_STS_ENDPOINT'),
    resourceManagerEndpoint: url(env, 'OSS_SSE_GUARD_RESOURCEMANAGER_ENDPOINT'),
    policyRef: env.OSS_SSE_GUARD_POLICY,
    reportLocation: env.OSS_SSE_GUARD_REPORT?.trim() || undefined,
    dryRun: parseBoolean('DRY_RUN', env.DRY_RUN, false),
    ossSignatureV4: signature === 'v4',
    homeRegion: home,
  };
}
