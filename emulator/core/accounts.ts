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
  /** The account the key acts as (default: the Accounts' own account id). */
  accountId?: string;
  /** STS keys: after this instant every emulator refuses the key (checked against `Accounts.now`). */
  expiresAt?: Date;
  /** Who the key is, as a trust policy names it (default `acs:ram::<accountId>:root`). */
  principalArn?: string;
}

/**
 * A RAM role of some account: who may assume it (the trust policy's `Principal.RAM` ARNs; an account's
 * `acs:ram::<uid>:root` trusts every identity of that account) and what its sessions may do.
 */
export interface RamRole {
  accountId: string;
  name: string;
  /** `acs:ram::<accountId>:role/<name>` (RAM lower-cases role names in ARNs). */
  arn: string;
  trustedPrincipals: string[];
  policy: RamPolicy;
  maxSessionDuration?: number;
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

/** The ARN's account segment (`acs:oss:*:<account>:bucket`), or undefined for `*`/none. */
function arnAccount(resource: string): string | undefined {
  const account = resource.split(':')[3];
  return account === undefined || account === '' || account === '*' ? undefined : account;
}

export class Accounts {
  readonly accountId: string;
  private readonly keys = new Map<string, AccessKey>();
  private readonly roles = new Map<string, RamRole>();
  /** The clock STS expiry is judged by (tests move it; requests keep their own signing clock). */
  now: () => Date = () => new Date();

  constructor(accountId = DEMO_ACCOUNT_ID) {
    this.accountId = accountId;
  }

  /** The account an access key acts as. */
  accountOf(accessKeyId: string): string {
    return this.keys.get(accessKeyId)?.accountId ?? this.accountId;
  }

  /** Who an access key is, for trust policies. */
  principalOf(accessKeyId: string): string {
    const key = this.keys.get(accessKeyId);
    return key?.principalArn ?? `acs:ram::${this.accountOf(accessKeyId)}:root`;
  }

  /** True when the key is an STS key whose expiration has passed. */
  expired(accessKeyId: string): boolean {
    const at = this.keys.get(accessKeyId)?.expiresAt;
    return at !== undefined && this.now().getTime() >= at.getTime();
  }

  addRole(role: Omit<RamRole, 'arn'>): RamRole {
    const full = { ...role, arn: `acs:ram::${role.accountId}:role/${role.name.toLowerCase()}` };
    this.roles.set(full.arn, full);
    return full;
  }

  getRole(arn: string): RamRole | undefined {
    return this.roles.get(arn.replace(/role\/(.+)$/, (_m, n: string) => `role/${n.toLowerCase()}`));
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
    // A key never reaches another account's resources (no cross-account grants in the emulator).
    const owner = arnAccount(resource);
    if (owner !== undefined && owner !== (key.accountId ?? this.accountId)) return false;
    if (!key.policy) return true;
    return policyAllows(key.policy, action, resource);
  }
}
