/**
 * The one call core of the OSS gateway, private to `shared/cloud/`: one ali-oss client per region (or per
 * bucket, for object calls), and `call`, which runs one SDK call with the deadline check, the adaptive
 * limit, retries and errors normalised into `CloudError`. Each concern of the gateway (buckets, object
 * data, objects, listing, inventory) is a view over one core; the core areas only ever see those views'
 * methods. `.dependency-cruiser.cjs` (`oss-core-sealed`) keeps this module and oss-client.ts out of reach
 * of everything outside `shared/cloud/`.
 */
import { CloudError } from '../errors.js';
import { type AliOssClient, attemptTimeout, newAliOssClient, type OssGatewayOptions } from './oss-client.js';
import { toCloudError } from './oss-errors.js';
import { ownCopy } from './oss-xml.js';
import { type RetryOptions, withRetry } from './retry.js';

export class OssCore {
  private readonly clients = new Map<string, AliOssClient>();
  private readonly regions = new Map<string, Promise<string>>();
  private readonly regionIds = new Map<string, string>();

  constructor(readonly opts: OssGatewayOptions) {}

  /** The region of account-wide calls (ListBuckets, GetBucketLocation). */
  get home(): string {
    return this.opts.homeRegion ?? 'cn-hangzhou';
  }

  /** The ali-oss client of a region, or of one bucket of a region for object calls (created once). */
  client(region: string, bucket?: string): AliOssClient {
    const id = bucket ? `${region}/${bucket}` : region;
    let c = this.clients.get(id);
    if (!c) {
      c = newAliOssClient(this.opts, region, bucket);
      this.clients.set(id, c);
    }
    return c;
  }

  /**
   * Runs one SDK call with normalised errors and retries; `subject` names it in errors and logs. `fn`
   * gets the attempt's timeout in ms (derived from the deadline) to pass to ali-oss as `timeout`.
   */
  async call<T>(subject: string, fn: (timeoutMs: number) => Promise<T>, retry?: RetryOptions): Promise<T> {
    return withRetry(
      async () => {
        const deadline = retry?.timeoutBy ?? this.opts.retry?.timeoutBy;
        const now = (retry?.now ?? this.opts.retry?.now ?? Date.now)();
        if (deadline !== undefined && now >= deadline) {
          throw new CloudError(`${subject}: not sent, the deadline has passed`, {
            code: 'DeadlineExceeded',
            status: -2,
            retryable: false,
          });
        }
        const timeoutMs = attemptTimeout(this.opts, retry);
        const attempt = () => fn(timeoutMs);
        try {
          return await (this.opts.limit ? this.opts.limit.run(attempt) : attempt());
        } catch (err) {
          // The SDK's own message (ali-oss's agent status on network errors) is for the debug log only.
          this.opts.logger?.debug({ subject, sdkError: (err as Error)?.message }, 'oss sdk error');
          throw toCloudError(err, subject);
        }
      },
      {
        ...this.opts.retry,
        ...retry,
        onRetry: (info) => {
          this.opts.logger?.debug(
            { subject, attempt: info.attempt, delayMs: info.delayMs, code: info.error.code },
            'retrying',
          );
          this.opts.retry?.onRetry?.(info);
        },
      },
    );
  }

  /** `oss-cn-hangzhou` -> `cn-hangzhou`, one string per region for the whole run (not one per bucket). */
  regionId(location: string): string {
    let id = this.regionIds.get(location);
    if (id === undefined) {
      id = ownCopy(location.replace(/^oss-/, ''));
      this.regionIds.set(location, id);
    }
    return id;
  }

  /** A bucket's region, from GetBucketLocation (which any region's endpoint answers); cached. */
  bucketRegion(bucket: string): Promise<string> {
    let region = this.regions.get(bucket);
    if (!region) {
      const home = this.home;
      region = this.call(`Bucket "${bucket}": GetBucketLocation`, () =>
        this.client(home).getBucketLocation(bucket),
      ).then((r) => String(r.location ?? `oss-${home}`).replace(/^oss-/, ''));
      region.catch(() => this.regions.delete(bucket));
      this.regions.set(bucket, region);
    }
    return region;
  }
}

const cores = new WeakMap<object, OssCore>();

/** Ties a gateway to its core (`OssGateway`'s constructor); only `coreOf`, here, finds it again. */
export function sealCore(owner: object, core: OssCore): void {
  cores.set(owner, core);
}

/**
 * The core of an `OssGateway`, for a view built on it (the lister, the inventory calls, the doctor's
 * probe), so that those views load only where they are used and the gateway hands out no core. Objects
 * derived from a gateway (`Object.create(gateway)`, as tests do to inject faults) share its core.
 */
export function coreOf(owner: object): OssCore {
  for (let o: object | null = owner; o; o = Object.getPrototypeOf(o)) {
    const core = cores.get(o);
    if (core) return core;
  }
  throw new TypeError('not an OssGateway: the OSS views are built on the gateway itself');
}

/** `{ deadline, timeoutBy }` from one epoch-ms deadline, or nothing. */
export function byDeadline(deadline: number | undefined): RetryOptions | undefined {
  return deadline === undefined ? undefined : { deadline, timeoutBy: deadline };
}
