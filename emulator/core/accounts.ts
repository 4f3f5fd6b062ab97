/**
 * Credentials and a small RAM-like access model shared by the emulators.
 *
 * An access key belongs to the emulated account. It may carry an STS security token (then requests must
 * present it) and a RAM policy document; a key without a policy may do everything (like the account's
 * own AccessKey). Policies use RAM's shape: `{Version, Statement:[{Effect, Action, Resource}]}` with `*`
 * and `?` wildcards; an explicit Deny wins over an Allow; no matching Allow means denied.
 */

export interface RamStatement {
  Effect: 'Allow' | 'Deny';
  Action: string | string[];
  Resource: string | string[];
}

export interface RamPolicy {
  Version: string;
  Statement: RamStatement[];
}

export interface AccessKey {
  accessKeyId: string;
  accessKeySecret: string;
  /** When set, requests signed with this key must carry this STS token. */
  securityToken?: string;
  /** When set, only what it allows is allowed. */
  policy?: RamPolicy;
}

export const DEMO_ACCOUNT_ID = '1234567890123456';
export const DEMO_ACCESS_KEY_ID = 'EMUAKID0000DEMO';
export const DEMO_ACCESS_KEY_SECRET = 'emulator-demo-secret-not-for-production';

const patternCache = new Map<string, RegExp>();

/** RAM wildcard match: `*` any run of characters, `?` one character, case-sensitive. */
export function wildcardMatch(pattern: string, value: string): boolean {
  let re = patternCache.get(pattern);
  if (!re) {
    const source = pattern
      .split('')
      .map((c) => (c === '*' ? '.*' : c === '?' ? '.' : c.replace(/[.+^${}()|[\]\\]/g, '\\$&')))
      .join('');
    re = new RegExp(`^${source}$`, 's');
    patternCache.set(pattern, re);
  }
  return re.test(value);
}

function asList(v: string | string[]): string[] {
  return Array.isArray(v) ? v : [v];
}

/** Evaluates a RAM policy: explicit Deny > Allow > implicit deny. Action names match case-insensitively. */
export function policyAllows(policy: RamPolicy, action: string, resource: string): boolean {
  let allowed = false;
  for (const st of policy.Statement) {
    const actionHit = asList(st.Action).some((a) => wildcardMatch(a.toLowerCase(), action.toLowerCase()));
    if (!actionHit) continue;
    const resourceHit = asList(st.Resource).some((r) => wildcardMatch(r, resource));
    if (!resourceHit) continue;
    if (st.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

export class Accounts {
  readonly accountId: string;
  private readonly keys = new Map<string, AccessKey>();

  constructor(accountId = DEMO_ACCOUNT_ID) {
    this.accountId = accountId;
  }

  add(key: AccessKey): AccessKey {
    this.keys.set(key.accessKeyId, key);
    return key;
  }

  remove(accessKeyId: string): void {
    this.keys.delete(accessKeyId);
  }

  get(accessKeyId: string): AccessKey | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Whether `accessKeyId` may do `action` (e.g. `oss:GetBucketEncryption`) on `resource` (an ARN). */
  authorize(accessKeyId: string, action: string, resource: string): boolean {
    const key = this.keys.get(accessKeyId);
    if (!key) return false;
    if (!key.policy) return true;
    return policyAllows(key.policy, action, resource);
  }
}
