/**
 * A member account's session: the role assumed through STS, and audit dependencies that always use
 * credentials with time left. Before each call, credentials within `refreshMarginMs` of their Expiration
 * are renewed (AssumeRole again) and the gateways rebuilt, so a long run never sends an expired token.
 */
import type { AuditDeps, AuditOss, Clock, KeyInspector } from '../audit/deps.js';
import { systemClock } from '../audit/deps.js';
import type { Credentials } from '../cloud/credentials.js';
import type { RoleAssumer, TemporaryCredentials } from '../cloud/sts.js';

export interface SessionOptions {
  sts: RoleAssumer;
  roleArn: string;
  sessionName: string;
  /** Builds the audit's gateways for one set of credentials. */
  depsFor: (credentials: Credentials) => AuditDeps;
  clock?: Clock;
  /** Renew when less than this is left (default 5 minutes). */
  refreshMarginMs?: number;
  durationSeconds?: number;
}

/** `oss-sse-guard-<run>`: names the tool and the run (RoleSessionName: 2-64 of `[A-Za-z0-9.@_-]`). */
export function sessionName(runId: string): string {
  return `oss-sse-guard-${runId.replace(/[^A-Za-z0-9.@_-]/g, '-')}`.slice(0, 64);
}

export class AccountSession {
  private current: { credentials: TemporaryCredentials; deps: AuditDeps } | undefined;
  private renewing: Promise<AuditDeps> | undefined;
  /** How many times the role was assumed (the first time included). */
  assumed = 0;
  constructor(private readonly opts: SessionOptions) {}

  private get clock(): Clock {
    return this.opts.clock ?? systemClock;
  }

  /** The dependencies with fresh credentials, assuming the role when there are none or they run out. */
  async deps(): Promise<AuditDeps> {
    const margin = this.opts.refreshMarginMs ?? 5 * 60_000;
    const c = this.current;
    if (c && c.credentials.expiration.getTime() - margin > this.clock.now().getTime()) return c.deps;
    this.renewing ??= (async () => {
      try {
        const credentials = await this.opts.sts.assumeRole({
          roleArn: this.opts.roleArn,
          sessionName: this.opts.sessionName,
          ...(this.opts.durationSeconds ? { durationSeconds: this.opts.durationSeconds } : {}),
        });
        this.assumed += 1;
        const deps = this.opts.depsFor(credentials);
        this.current = { credentials, deps };
        return deps;
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /** Audit dependencies that pick the current credentials before every call. */
  auditDeps(base: Omit<AuditDeps, 'oss' | 'kms'>): AuditDeps {
    const oss: AuditOss = {
      listBuckets: (query) => this.listBuckets(query),
      getBucketEncryption: async (b, retry) => (await this.deps()).oss.getBucketEncryption(b, retry),
      putBucketEncryption: async (b, cfg, retry) =>
        (await this.deps()).oss.putBucketEncryption(b, cfg, retry),
      getBucketTags: async (b, retry) => (await this.deps()).oss.getBucketTags(b, retry),
    };
    const kms: KeyInspector = {
      describeKey: async (ref, region) => (await this.deps()).kms.describeKey(ref, region),
    };
    return { ...base, oss, kms };
  }

  private async *listBuckets(query?: Parameters<AuditOss['listBuckets']>[0]) {
    // A listing is a short series of pages: it runs on the credentials current when it starts.
    const deps = await this.deps();
    yield* deps.oss.listBuckets(query);
  }
}
