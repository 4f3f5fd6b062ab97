/**
 * The STS gateway: the only module that imports @alicloud/sts20150401. `AssumeRole` turns a member
 * account's role ARN into temporary credentials with their expiration.
 */
import * as sts from '@alicloud/sts20150401';
import type { Credentials } from './credentials.js';
import { type RetryOptions, withRetry } from './retry.js';
import { teaClientClass, teaCloudError, teaConfig } from './tea-errors.js';

type StsClass = typeof sts.default.default;
const StsClient = teaClientClass<StsClass>(sts as unknown as { default: unknown });

export interface TemporaryCredentials extends Credentials {
  securityToken: string;
  expiration: Date;
}

export interface AssumeRoleInput {
  roleArn: string;
  /** 2-64 of `[A-Za-z0-9.@_-]` (STS API reference, RoleSessionName). */
  sessionName: string;
  durationSeconds?: number;
}

export interface RoleAssumer {
  assumeRole(input: AssumeRoleInput): Promise<TemporaryCredentials>;
}

export interface StsGatewayOptions {
  credentials: Credentials;
  /** `http://127.0.0.1:PORT` (the emulator); default `sts.aliyuncs.com` over HTTPS. */
  endpoint?: string;
  retry?: RetryOptions;
  timeoutMs?: number;
}

export class StsGateway implements RoleAssumer {
  private client: InstanceType<StsClass> | undefined;
  constructor(private readonly opts: StsGatewayOptions) {}

  private sdk(): InstanceType<StsClass> {
    if (!this.client) {
      this.client = new StsClient(
        teaConfig(this.opts, 'sts.aliyuncs.com') as ConstructorParameters<StsClass>[0],
      );
    }
    return this.client;
  }

  /** Assumes the role; throws a CloudError naming the role (EntityNotExist.Role, NoPermission...). */
  async assumeRole(input: AssumeRoleInput): Promise<TemporaryCredentials> {
    return withRetry(async () => {
      try {
        const res = await this.sdk().assumeRole(
          new sts.AssumeRoleRequest({
            roleArn: input.roleArn,
            roleSessionName: input.sessionName,
            ...(input.durationSeconds ? { durationSeconds: input.durationSeconds } : {}),
          }),
        );
        const c = res.body?.credentials;
        if (!c?.accessKeyId || !c.accessKeySecret || !c.securityToken || !c.expiration) {
          throw new Error('AssumeRole answered without credentials');
        }
        return {
          accessKeyId: c.accessKeyId,
          accessKeySecret: c.accessKeySecret,
          securityToken: c.securityToken,
          expiration: new Date(c.expiration),
        };
      } catch (err) {
        throw teaCloudError(err, `AssumeRole ${input.roleArn}`);
      }
    }, this.opts.retry);
  }
}
