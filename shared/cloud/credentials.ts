/**
 * Where credentials come from (DESIGN.md section 4): the Function Compute context's STS credentials inside
 * a function; otherwise ALIBABA_CLOUD_ACCESS_KEY_ID / _SECRET / _SECURITY_TOKEN, or the OSS docs' names
 * OSS_ACCESS_KEY_ID / OSS_ACCESS_KEY_SECRET; then the @alicloud/credentials default chain.
 */
import { ConfigError } from '../errors.js';
import type { FcContext } from './fc-context.js';

export interface Credentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
}

/** Credentials from the environment variables, or undefined when none are set. */
export function credentialsFromEnv(env: NodeJS.ProcessEnv = process.env): Credentials | undefined {
  const id = env.ALIBABA_CLOUD_ACCESS_KEY_ID ?? env.OSS_ACCESS_KEY_ID;
  const secret = env.ALIBABA_CLOUD_ACCESS_KEY_SECRET ?? env.OSS_ACCESS_KEY_SECRET;
  if (!id && !secret) return undefined;
  if (!id || !secret) {
    throw new ConfigError(
      `Credentials: ${id ? 'ALIBABA_CLOUD_ACCESS_KEY_SECRET' : 'ALIBABA_CLOUD_ACCESS_KEY_ID'} is missing; both the id and the secret are needed`,
    );
  }
  const token = env.ALIBABA_CLOUD_SECURITY_TOKEN ?? env.OSS_SESSION_TOKEN;
  return { accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}) };
}

/** Credentials of a Function Compute invocation (the function's role, as STS). */
export function credentialsFromContext(context: FcContext): Credentials {
  const c = context.credentials;
  if (!c?.accessKeyId || !c.accessKeySecret) {
    throw new ConfigError(
      'Function Compute context has no credentials: give the function a role (s.yaml "role")',
    );
  }
  return {
    accessKeyId: c.accessKeyId,
    accessKeySecret: c.accessKeySecret,
    ...(c.securityToken ? { securityToken: c.securityToken } : {}),
  };
}

/** The @alicloud/credentials default chain (ECS RAM role, OIDC, profile file...), loaded only when needed. */
export async function credentialsFromDefaultChain(): Promise<Credentials> {
  try {
    const mod = await import('@alicloud/credentials');
    // The package is CommonJS compiled from TypeScript: under ESM the class may sit one `default` deeper.
    type Ctor = new () => {
      getCredential(): Promise<{ accessKeyId?: string; accessKeySecret?: string; securityToken?: string }>;
    };
    const outer = mod.default as unknown as Ctor & { default?: Ctor };
    const CredentialClass: Ctor = outer.default ?? outer;
    const client = new CredentialClass();
    const c = await client.getCredential();
    if (!c.accessKeyId || !c.accessKeySecret) throw new Error('the chain returned no access key');
    return {
      accessKeyId: c.accessKeyId,
      accessKeySecret: c.accessKeySecret,
      ...(c.securityToken ? { securityToken: c.securityToken } : {}),
    };
  } catch (err) {
    throw new ConfigError(
      'No credentials: set ALIBABA_CLOUD_ACCESS_KEY_ID and ALIBABA_CLOUD_ACCESS_KEY_SECRET (or run in Function Compute with a role)',
      { cause: err },
    );
  }
}

export async function resolveCredentials(env: NodeJS.ProcessEnv = process.env): Promise<Credentials> {
  return credentialsFromEnv(env) ?? (await credentialsFromDefaultChain());
}
