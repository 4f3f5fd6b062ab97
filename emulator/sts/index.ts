/**
 * STS emulator: `AssumeRole` (API version 2015-04-01) as @alicloud/sts20150401 calls it (RPC style, form
 * body, signature V3 — see ../core/acs3.ts). The role's trust policy decides who may assume it; the
 * temporary credentials it issues (`STS.` access key id, secret, security token, Expiration) are added to
 * the shared accounts, act as the role's account with the role's RAM policy, and every emulator refuses
 * them once `accounts.now()` passes their expiration. Loopback only.
 *
 * Shapes and codes: STS API reference "AssumeRole" (response `RequestId`, `AssumedRoleUser {Arn,
 * AssumedRoleId}`, `Credentials {AccessKeyId, AccessKeySecret, SecurityToken, Expiration}`; DurationSeconds
 * 900 to the role's maximum session duration, default 3600) and the OSS help page "Common errors when
 * you access OSS by using STS" (doc-detail 42775: `NoPermission` "Roles may not be assumed by root
 * accounts.", `NoPermission` "No permission perform sts:AssumeRole on this Role...",
 * `InvalidParameter.RoleSessionName`, `InvalidParameter.DurationSeconds`). `EntityNotExist.Role` and the
 * HTTP statuses are inferred (emulator/README.md, "STS and Resource Manager").
 */
import { randomBytes } from 'node:crypto';
import { type Accounts, policyAllows } from '../core/accounts.js';
import { PopError } from '../core/acs3.js';
import { Faults } from '../core/faults.js';
import { listen } from '../core/http.js';
import { type PopCaller, popJsonListener } from '../core/pop-json.js';

export const STS_API_VERSION = '2015-04-01';

export interface StsEmulatorOptions {
  accounts: Accounts;
  port?: number;
  faults?: Faults;
  /** The request-signing clock (x-acs-date skew); credential expiry follows `accounts.now`. */
  now?: () => Date;
}

export interface IssuedCredentials {
  accessKeyId: string;
  roleArn: string;
  sessionName: string;
  accountId: string;
  expiration: Date;
}

export interface StsEmulator {
  url: string;
  /** `127.0.0.1:PORT`, what the SDK's `endpoint` option takes. */
  hostPort: string;
  port: number;
  faults: Faults;
  /** Every credential issued, in order (secret-free). */
  issued: IssuedCredentials[];
  close(): Promise<void>;
}

const SESSION_NAME = /^[a-zA-Z0-9.@_-]{2,64}$/;

function alnum(n: number): string {
  return randomBytes(n)
    .toString('base64')
    .replace(/[^a-zA-Z0-9]/g, 'x')
    .slice(0, n);
}

/** `2015-04-09T11:52:19Z`, the Expiration format of the API reference sample. */
function isoSeconds(d: Date): string {
  return `${d.toISOString().slice(0, 19)}Z`;
}

function assumeRole(accounts: Accounts, issued: IssuedCredentials[]) {
  return (params: Record<string, string>, caller: PopCaller): Record<string, unknown> => {
    const roleArn = params.RoleArn ?? '';
    const sessionName = params.RoleSessionName ?? '';
    if (!roleArn) throw new PopError('MissingRoleArn', 400, 'RoleArn is mandatory for this action.');
    if (!SESSION_NAME.test(sessionName)) {
      throw new PopError(
        'InvalidParameter.RoleSessionName',
        400,
        'The parameter RoleSessionName is wrongly formed.',
      );
    }
    if (caller.principalArn.endsWith(':root')) {
      throw new PopError('NoPermission', 403, 'Roles may not be assumed by root accounts.');
    }
    const own = accounts.get(caller.accessKeyId);
    if (own?.policy && !policyAllows(own.policy, 'sts:AssumeRole', roleArn)) {
      throw new PopError(
        'NoPermission',
        403,
        'You are not authorized to do this action. You should be authorized by RAM.',
      );
    }
    const role = accounts.getRole(roleArn);
    if (!role) throw new PopError('EntityNotExist.Role', 404, `The role not exists: ${roleArn}.`);
    const trusted = role.trustedPrincipals.some(
      (p) => p === caller.principalArn || p === `acs:ram::${caller.accountId}:root`,
    );
    if (!trusted) {
      throw new PopError(
        'NoPermission',
        403,
        "No permission perform sts:AssumeRole on this Role. Maybe you are not in the role's trust policy.",
      );
    }
    const max = role.maxSessionDuration ?? 3600;
    const duration =
      params.DurationSeconds === undefined ? Math.min(3600, max) : Number(params.DurationSeconds);
    if (!Number.isInteger(duration) || duration < 900 || duration > max) {
      throw new PopError(
        'InvalidParameter.DurationSeconds',
        400,
        `The Min/Max value of DurationSeconds is 15min/${max / 3600}hr.`,
      );
    }
    const expiration = new Date(accounts.now().getTime() + duration * 1000);
    const accessKeyId = `STS.${alnum(24)}`;
    const roleId = `3${String(Math.abs(hash(role.arn))).padStart(17, '0')}`;
    accounts.add({
      accessKeyId,
      accessKeySecret: alnum(40),
      securityToken: `CAIS${randomBytes(48).toString('base64')}`,
      policy: role.policy,
      accountId: role.accountId,
      expiresAt: expiration,
      principalArn: `acs:ram::${role.accountId}:assumed-role/${role.name}/${sessionName}`,
    });
    const key = accounts.get(accessKeyId);
    issued.push({ accessKeyId, roleArn: role.arn, sessionName, accountId: role.accountId, expiration });
    return {
      AssumedRoleUser: { Arn: `${role.arn}/${sessionName}`, AssumedRoleId: `${roleId}:${sessionName}` },
      Credentials: {
        AccessKeyId: accessKeyId,
        AccessKeySecret: key?.accessKeySecret,
        SecurityToken: key?.securityToken,
        Expiration: isoSeconds(expiration),
      },
    };
  };
}

function hash(s: string): number {
  let h = 0;
  for (const c of s) h = (h * 31 + c.charCodeAt(0)) | 0;
  return h;
}

/** Starts the STS emulator on 127.0.0.1 (port 0 picks a free port). */
export async function startStsEmulator(opts: StsEmulatorOptions): Promise<StsEmulator> {
  const faults = opts.faults ?? new Faults();
  const issued: IssuedCredentials[] = [];
  const server = await listen(
    popJsonListener({
      product: 'Sts',
      version: STS_API_VERSION,
      hostId: 'sts.aliyuncs.com',
      accounts: opts.accounts,
      faults,
      now: opts.now ?? (() => new Date()),
      actions: { AssumeRole: assumeRole(opts.accounts, issued) },
    }),
    opts.port ?? 0,
  );
  return {
    url: server.url,
    hostPort: `127.0.0.1:${server.port}`,
    port: server.port,
    faults,
    issued,
    close: () => server.close(),
  };
}
