/**
 * The KMS emulator's keys and aliases, usable directly (tests, seed scripts, the OSS emulator) or
 * through the RPC API. Keys and aliases are regional, as on the real service: a key created in
 * cn-hangzhou is not found from cn-shanghai, by id, alias or ARN.
 *
 * State rules follow the KMS API reference "Impact of CMK states on API call": Enable/DisableKey are
 * rejected for PendingDeletion and PendingImport keys, ScheduleKeyDeletion for PendingDeletion keys,
 * CancelKeyDeletion for any key not PendingDeletion (it restores Enabled), CreateAlias for
 * PendingDeletion keys. A PendingDeletion key disappears once its DeleteDate passes (checked against
 * the injected clock).
 */
import { randomUUID } from 'node:crypto';
import { KmsError, kmsErrors } from './errors.js';
import { ossServiceKeyId } from './service-key.js';

export type KeyState = 'Enabled' | 'Disabled' | 'PendingDeletion' | 'PendingImport';
/** CreateKey `KeySpec` values (KMS API reference "CreateKey"). */
export type KeySpec =
  | 'Aliyun_AES_256'
  | 'Aliyun_SM4'
  | 'RSA_2048'
  | 'RSA_3072'
  | 'EC_P256'
  | 'EC_P256K'
  | 'EC_SM2';
export type KeyOrigin = 'Aliyun_KMS' | 'EXTERNAL';

export const KEY_SPECS: readonly KeySpec[] = [
  'Aliyun_AES_256',
  'Aliyun_SM4',
  'RSA_2048',
  'RSA_3072',
  'EC_P256',
  'EC_P256K',
  'EC_SM2',
];

export interface KmsKey {
  keyId: string;
  arn: string;
  region: string;
  state: KeyState;
  keySpec: KeySpec;
  keyUsage: 'ENCRYPT/DECRYPT' | 'SIGN/VERIFY';
  origin: KeyOrigin;
  protectionLevel: 'SOFTWARE' | 'HSM';
  description: string;
  /** The account id for a customer key; the service code (`OSS`) for a service key. */
  creator: string;
  creationDate: Date;
  deletionProtection: 'Enabled' | 'Disabled';
  deletionProtectionDescription?: string;
  /** Set on a service key: the code of the cloud service that created and manages it (`OSS`). */
  service?: string;
  /** Set while PendingDeletion. */
  deleteDate?: Date;
  primaryKeyVersion: string;
}

export interface KmsAlias {
  aliasName: string;
  keyId: string;
  region: string;
  arn: string;
}

export interface CreateKeyInput {
  region: string;
  keySpec?: KeySpec;
  keyUsage?: KmsKey['keyUsage'];
  origin?: KeyOrigin;
  protectionLevel?: KmsKey['protectionLevel'];
  description?: string;
  /** Initial state; default Enabled (PendingImport for an EXTERNAL origin). */
  state?: KeyState;
  /** Fixed id (seed data); default a random UUID. */
  keyId?: string;
}

/** What other emulators need to know about a key reference. */
export interface KeyLookup {
  keyId: string;
  arn: string;
  state: KeyState;
  region: string;
  /** Set for a service key: the service that manages it (`OSS`). */
  service?: string;
}

const ALIAS_RE = /^alias\/[a-zA-Z0-9:/_-]{1,255}$/;
const DAY_MS = 86_400_000;

export class KmsState {
  readonly accountId: string;
  private readonly now: () => Date;
  private readonly keys = new Map<string, KmsKey>();
  /** `${region}\n${aliasName}` -> alias */
  private readonly aliases = new Map<string, KmsAlias>();

  constructor(accountId: string, now: () => Date = () => new Date()) {
    this.accountId = accountId;
    this.now = now;
  }

  keyArn(region: string, keyId: string): string {
    return `acs:kms:${region}:${this.accountId}:key/${keyId}`;
  }

  aliasArn(region: string, aliasName: string): string {
    return `acs:kms:${region}:${this.accountId}:${aliasName}`;
  }

  createKey(input: CreateKeyInput): KmsKey {
    this.purgeExpired();
    if (!input.region) throw kmsErrors.missingParameter('region');
    const keyId = input.keyId ?? randomUUID();
    if (this.keys.has(keyId)) throw kmsErrors.invalidParameter('KeyId');
    const origin = input.origin ?? 'Aliyun_KMS';
    const key: KmsKey = {
      keyId,
      arn: this.keyArn(input.region, keyId),
      region: input.region,
      state: input.state ?? (origin === 'EXTERNAL' ? 'PendingImport' : 'Enabled'),
      keySpec: input.keySpec ?? 'Aliyun_AES_256',
      keyUsage: input.keyUsage ?? 'ENCRYPT/DECRYPT',
      origin,
      protectionLevel: input.protectionLevel ?? 'SOFTWARE',
      description: input.description ?? '',
      creator: this.accountId,
      creationDate: this.now(),
      deletionProtection: 'Disabled',
      primaryKeyVersion: randomUUID(),
    };
    if (key.state === 'PendingDeletion') key.deleteDate = new Date(this.now().getTime() + 7 * DAY_MS);
    this.keys.set(keyId, key);
    return key;
  }

  /**
   * The service key of a cloud service in a region, created on first use as the service does when it
   * first encrypts something there ("Integration with KMS": one service key per service per region,
   * `Creator` set to the service code, alias `alias/acs/<service>`; e.g. OSS, `alias/acs/oss`).
   */
  serviceKey(region: string, service = 'oss'): KmsKey {
    const aliasName = `alias/acs/${service.toLowerCase()}`;
    const existing = this.aliases.get(`${region}\n${aliasName}`);
    const known = existing ? this.keys.get(existing.keyId) : undefined;
    if (known) return known;
    const key = this.createKey({
      region,
      description: `default key of ${service.toUpperCase()}`,
      // The OSS emulator derives the same id on its own when it runs without a KMS emulator.
      ...(service.toLowerCase() === 'oss' ? { keyId: ossServiceKeyId(this.accountId, region) } : {}),
    });
    key.creator = service.toUpperCase();
    key.service = service.toUpperCase();
    // Inferred: the service protects the key it depends on (DeletionProtectionDescription is illustrative).
    key.deletionProtection = 'Enabled';
    key.deletionProtectionDescription = `The key is used by ${key.service}.`;
    const mapKey = `${region}\n${aliasName}`;
    this.aliases.set(mapKey, { aliasName, keyId: key.keyId, region, arn: this.aliasArn(region, aliasName) });
    return key;
  }

  /** Service keys created so far (one per service per region). */
  serviceKeys(): KmsKey[] {
    return [...this.keys.values()].filter((k) => k.service !== undefined);
  }

  /**
   * Resolves a key id, key ARN, alias (`alias/x`) or alias ARN. With `region`, only keys of that region
   * are found (the real service answers Forbidden.KeyNotFound / Forbidden.AliasNotFound); without it, a
   * key id or ARN is found in any region and an alias needs a region.
   */
  resolve(ref: string, region?: string): KmsKey {
    this.purgeExpired();
    let keyRef = ref;
    let refRegion = region;
    if (ref.startsWith('acs:kms:')) {
      const [, , arnRegion, account, ...rest] = ref.split(':');
      const resource = rest.join(':');
      if (!arnRegion || account !== this.accountId || (region && arnRegion !== region)) {
        throw resource.startsWith('alias/') ? kmsErrors.aliasNotFound() : kmsErrors.keyNotFound();
      }
      refRegion = arnRegion;
      if (resource.startsWith('key/')) keyRef = resource.slice('key/'.length);
      else if (resource.startsWith('alias/')) keyRef = resource;
      else throw kmsErrors.keyNotFound();
    }
    if (keyRef.startsWith('alias/')) {
      const alias = refRegion ? this.aliases.get(`${refRegion}\n${keyRef}`) : undefined;
      if (!alias) throw kmsErrors.aliasNotFound();
      keyRef = alias.keyId;
    }
    const key = this.keys.get(keyRef);
    if (!key || (refRegion && key.region !== refRegion)) throw kmsErrors.keyNotFound();
    return key;
  }

  /** Like `resolve` but answers `undefined` for an unknown or foreign-region reference. */
  lookup(ref: string, region: string): KeyLookup | undefined {
    try {
      const key = this.resolve(ref, region);
      return {
        keyId: key.keyId,
        arn: key.arn,
        state: key.state,
        region: key.region,
        ...(key.service ? { service: key.service } : {}),
      };
    } catch (err) {
      if (err instanceof KmsError && err.status === 404) return undefined;
      throw err;
    }
  }

  createAlias(aliasName: string, keyRef: string, region?: string): KmsAlias {
    if (!ALIAS_RE.test(aliasName) || aliasName.startsWith('alias/acs/')) {
      throw kmsErrors.invalidParameter('AliasName');
    }
    const key = this.resolve(keyRef, region);
    if (key.state === 'PendingDeletion') throw kmsErrors.stateModifiedFailed();
    const mapKey = `${key.region}\n${aliasName}`;
    if (this.aliases.has(mapKey)) throw kmsErrors.aliasExists();
    const alias: KmsAlias = {
      aliasName,
      keyId: key.keyId,
      region: key.region,
      arn: this.aliasArn(key.region, aliasName),
    };
    this.aliases.set(mapKey, alias);
    return alias;
  }

  enableKey(keyRef: string, region?: string): KmsKey {
    return this.setEnabled(keyRef, region, 'Enabled');
  }

  disableKey(keyRef: string, region?: string): KmsKey {
    return this.setEnabled(keyRef, region, 'Disabled');
  }

  /** Schedules deletion after `days` (7..366, KMS API reference "ScheduleKeyDeletion"). */
  scheduleDeletion(keyRef: string, days: number, region?: string): KmsKey {
    if (!Number.isInteger(days) || days < 7 || days > 366)
      throw kmsErrors.invalidParameter('PendingWindowInDays');
    const key = this.resolve(keyRef, region);
    if (key.service) throw kmsErrors.serviceKey();
    if (key.state === 'PendingDeletion') throw kmsErrors.stateModifiedFailed();
    key.state = 'PendingDeletion';
    key.deleteDate = new Date(this.now().getTime() + days * DAY_MS);
    return key;
  }

  cancelDeletion(keyRef: string, region?: string): KmsKey {
    const key = this.resolve(keyRef, region);
    if (key.state !== 'PendingDeletion') throw kmsErrors.stateModifiedFailed();
    key.state = 'Enabled';
    delete key.deleteDate;
    return key;
  }

  /** Keys of a region, oldest first. */
  listKeys(region: string): KmsKey[] {
    this.purgeExpired();
    return [...this.keys.values()].filter((k) => k.region === region);
  }

  /** Aliases of a region, in creation order. */
  listAliases(region: string): KmsAlias[] {
    this.purgeExpired();
    return [...this.aliases.values()].filter((a) => a.region === region);
  }

  private setEnabled(keyRef: string, region: string | undefined, state: 'Enabled' | 'Disabled'): KmsKey {
    const key = this.resolve(keyRef, region);
    if (key.service) throw kmsErrors.serviceKey();
    if (key.state === 'PendingDeletion' || key.state === 'PendingImport')
      throw kmsErrors.stateModifiedFailed();
    key.state = state;
    return key;
  }

  /** Deletes keys whose deletion window has passed, with their aliases. */
  private purgeExpired(): void {
    const now = this.now().getTime();
    for (const [id, key] of this.keys) {
      if (key.state !== 'PendingDeletion' || !key.deleteDate || key.deleteDate.getTime() > now) continue;
      this.keys.delete(id);
      for (const [aliasKey, alias] of this.aliases) if (alias.keyId === id) this.aliases.delete(aliasKey);
    }
  }
}
