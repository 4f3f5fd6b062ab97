/**
 * Permissions as code: each action declares the RAM permissions it needs next to its implementation;
 * `ram-policy` collects them into one least-privilege document (Cloud Custodian's `permissions = (...)`).
 */
import type { Policy } from '../policy/schema.js';

export interface PermissionContext {
  policy: Policy;
  /** Where the policy is read from, when it is `oss://bucket/key`. */
  policyLocation?: string;
  /** Where reports go, when it is `oss://bucket/prefix`. */
  reportLocation?: string;
  /** The account id for resource ARNs (default `*`). */
  accountId?: string;
  /** The functions' Simple Log Service project and logstore (s.yaml logConfig); default `*`. */
  logProject?: string;
  logStore?: string;
}

export interface Permission {
  actions: string[];
  resources: string[];
  /** Why the product needs it (shown by `ram-policy --explain`). */
  reason: string;
}

export type PermissionDeclaration = (ctx: PermissionContext) => Permission[];

/** `acs:oss:*:<account>:<bucket>` and `.../<bucket>/<key pattern>`. */
export function ossArn(ctx: PermissionContext, bucket: string, key?: string): string {
  return `acs:oss:*:${ctx.accountId ?? '*'}:${bucket}${key === undefined ? '' : `/${key}`}`;
}

/** `acs:kms:*:<account>:key/*`: every key of the account (aliases are authorized on their key). */
export function kmsKeyArn(ctx: PermissionContext): string {
  return `acs:kms:*:${ctx.accountId ?? '*'}:key/*`;
}

/**
 * A bucket-name glob as a RAM resource pattern. RAM patterns know `*` and `?` only; a glob using anything
 * else (braces, classes, extglobs) widens to `*` rather than risk denying what the policy selects.
 */
export function bucketPattern(glob: string): string {
  return /^[A-Za-z0-9.*?-]+$/.test(glob) ? glob : '*';
}

/** `oss://bucket/rest` split, or undefined. */
export function ossLocation(ref: string | undefined): { bucket: string; key: string } | undefined {
  const m = ref ? /^oss:\/\/([^/]+)\/?(.*)$/.exec(ref.trim()) : null;
  return m ? { bucket: m[1] as string, key: m[2] ?? '' } : undefined;
}
