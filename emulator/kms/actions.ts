/**
 * The KMS RPC actions the emulator implements, turning request parameters into the JSON bodies of the
 * KMS API reference (field names as in wire-samples/kms-describe-key.json and the ListKeys / ListAliases
 * samples: `Keys.Key[]`, `Aliases.Alias[]`, `TotalCount`, `PageNumber`, `PageSize`).
 *
 * RAM: each action is authorized as `kms:<Action>` on the resource of the KMS RAM reference ("Use RAM to
 * control access to KMS resources"): the key container `acs:kms:<region>:<account>:key` for CreateKey and
 * ListKeys, the alias container `...:alias` for ListAliases, the key ARN for key operations, and both the
 * alias and the key for CreateAlias.
 */
import type { Accounts } from '../core/accounts.js';
import { kmsErrors } from './errors.js';
import { KEY_SPECS, type KeySpec, type KmsKey, type KmsState } from './state.js';

export interface ActionContext {
  state: KmsState;
  accounts: Accounts;
  accessKeyId: string;
  region: string;
  params: Record<string, string>;
}

type Body = Record<string, unknown>;
type Action = (ctx: ActionContext) => Body;

/** KMS dates: ISO 8601 without milliseconds (`2019-07-11T09:56:58Z`). */
export function kmsDate(d: Date | undefined): string {
  return d ? d.toISOString().replace(/\.\d{3}Z$/, 'Z') : '';
}

/**
 * `KeyMetadata` as DescribeKey and CreateKey return it: the fields and order of the KMS API reference
 * "DescribeKey" (2016-01-20) sample, plus `KeySpec`. `RotationInterval` and `NextRotationDate` are
 * returned only while AutomaticRotation is Enabled or Suspended (never, here); `DeleteDate` is empty
 * unless PendingDeletion; `DeletionProtectionDescription` only with deletion protection.
 */
export function keyMetadata(key: KmsKey): Body {
  return {
    CreationDate: kmsDate(key.creationDate),
    Description: key.description,
    KeyId: key.keyId,
    KeySpec: key.keySpec,
    KeyState: key.state,
    KeyUsage: key.keyUsage,
    PrimaryKeyVersion: key.primaryKeyVersion,
    DeleteDate: key.state === 'PendingDeletion' ? kmsDate(key.deleteDate) : '',
    Creator: key.creator,
    Arn: key.arn,
    Origin: key.origin,
    MaterialExpireTime: '',
    ProtectionLevel: key.protectionLevel,
    LastRotationDate: kmsDate(key.creationDate),
    AutomaticRotation: 'Disabled',
    DeletionProtection: key.deletionProtection,
    ...(key.deletionProtectionDescription
      ? { DeletionProtectionDescription: key.deletionProtectionDescription }
      : {}),
  };
}

function required(ctx: ActionContext, name: string): string {
  const value = ctx.params[name];
  if (value === undefined || value === '') throw kmsErrors.missingParameter(name);
  return value;
}

function oneOf<T extends string>(ctx: ActionContext, name: string, allowed: readonly T[]): T | undefined {
  const value = ctx.params[name];
  if (value === undefined || value === '') return undefined;
  if (!(allowed as readonly string[]).includes(value)) throw kmsErrors.invalidParameter(name);
  return value as T;
}

function intParam(ctx: ActionContext, name: string, fallback: number, min: number, max: number): number {
  const raw = ctx.params[name];
  if (raw === undefined || raw === '') return fallback;
  const n = /^\d+$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(n) || n < min || n > max) throw kmsErrors.invalidParameter(name);
  return n;
}

function authorize(ctx: ActionContext, resource: string): void {
  const action = `kms:${ctx.params.Action}`;
  if (!ctx.accounts.authorize(ctx.accessKeyId, action, resource)) throw kmsErrors.noPermission();
}

function container(ctx: ActionContext, kind: 'key' | 'alias'): string {
  return `acs:kms:${ctx.region}:${ctx.state.accountId}:${kind}`;
}

/** Resolves `KeyId` in the request's region and checks RAM on the key (or on the id given if unknown). */
function targetKey(ctx: ActionContext): KmsKey {
  const ref = required(ctx, 'KeyId');
  let key: KmsKey;
  try {
    key = ctx.state.resolve(ref, ctx.region);
  } catch (err) {
    authorize(ctx, ref.startsWith('acs:') ? ref : ctx.state.keyArn(ctx.region, ref));
    throw err;
  }
  authorize(ctx, key.arn);
  return key;
}

function page<T>(ctx: ActionContext, items: T[]): { pageNumber: number; pageSize: number; slice: T[] } {
  // PageSize: 1..100, default 10; PageNumber >= 1, default 1 (KMS API reference "ListKeys", "ListAliases").
  const pageNumber = intParam(ctx, 'PageNumber', 1, 1, Number.MAX_SAFE_INTEGER);
  const pageSize = intParam(ctx, 'PageSize', 10, 1, 100);
  const start = (pageNumber - 1) * pageSize;
  return { pageNumber, pageSize, slice: items.slice(start, start + pageSize) };
}

const actions: Record<string, Action> = {
  CreateKey(ctx) {
    authorize(ctx, container(ctx, 'key'));
    const key = ctx.state.createKey({
      region: ctx.region,
      keySpec: oneOf<KeySpec>(ctx, 'KeySpec', KEY_SPECS),
      keyUsage: oneOf(ctx, 'KeyUsage', ['ENCRYPT/DECRYPT', 'SIGN/VERIFY'] as const),
      origin: oneOf(ctx, 'Origin', ['Aliyun_KMS', 'EXTERNAL'] as const),
      protectionLevel: oneOf(ctx, 'ProtectionLevel', ['SOFTWARE', 'HSM'] as const),
      description: ctx.params.Description,
    });
    return { KeyMetadata: keyMetadata(key) };
  },

  DescribeKey(ctx) {
    return { KeyMetadata: keyMetadata(targetKey(ctx)) };
  },

  ListKeys(ctx) {
    authorize(ctx, container(ctx, 'key'));
    const all = ctx.state.listKeys(ctx.region);
    const { pageNumber, pageSize, slice } = page(ctx, all);
    return {
      Keys: { Key: slice.map((k) => ({ KeyId: k.keyId, KeyArn: k.arn })) },
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
    };
  },

  EnableKey(ctx) {
    ctx.state.enableKey(targetKey(ctx).keyId);
    return {};
  },

  DisableKey(ctx) {
    ctx.state.disableKey(targetKey(ctx).keyId);
    return {};
  },

  ScheduleKeyDeletion(ctx) {
    const key = targetKey(ctx);
    const days = intParam(ctx, 'PendingWindowInDays', Number.NaN, 7, 366);
    if (Number.isNaN(days)) throw kmsErrors.missingParameter('PendingWindowInDays');
    ctx.state.scheduleDeletion(key.keyId, days);
    return {};
  },

  CancelKeyDeletion(ctx) {
    ctx.state.cancelDeletion(targetKey(ctx).keyId);
    return {};
  },

  CreateAlias(ctx) {
    const aliasName = required(ctx, 'AliasName');
    authorize(ctx, ctx.state.aliasArn(ctx.region, aliasName));
    const key = targetKey(ctx);
    ctx.state.createAlias(aliasName, key.keyId);
    return {};
  },

  ListAliases(ctx) {
    authorize(ctx, container(ctx, 'alias'));
    const all = ctx.state.listAliases(ctx.region);
    const { pageNumber, pageSize, slice } = page(ctx, all);
    return {
      Aliases: { Alias: slice.map((a) => ({ KeyId: a.keyId, AliasName: a.aliasName, AliasArn: a.arn })) },
      TotalCount: all.length,
      PageNumber: pageNumber,
      PageSize: pageSize,
    };
  },
};

/** Runs `ctx.params.Action`; throws InvalidAction.NotFound for an action the emulator does not know. */
export function runAction(ctx: ActionContext): Body {
  const action = Object.hasOwn(actions, ctx.params.Action ?? '')
    ? actions[ctx.params.Action ?? '']
    : undefined;
  if (!action) throw kmsErrors.actionNotFound();
  return action(ctx);
}
