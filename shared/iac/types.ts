/**
 * What the IaC parsers hand to the judgement: one planned bucket, with every value either known or
 * unknown with the reason ("known after apply", "parameter has no default"). Terraform plans and ROS
 * templates both become this shape, so the policy judgement is written once.
 */
import { ConfigError } from '../errors.js';
import type { SseAlgorithm, SseConfig } from '../model.js';

/** A value the source either gives or cannot give before deployment (then `why` says what decides it). */
export type Known<T> = { known: true; value: T } | { known: false; why: string };

export const known = <T>(value: T): Known<T> => ({ known: true, value });
export const unknown = <T>(why: string): Known<T> => ({ known: false, why });

/**
 * The planned default encryption of a bucket. `config` when every part is known; `partial` when the
 * algorithm is known but the CMK id or the data encryption is not; `unknown` when even the algorithm is not.
 */
export type PlannedSse =
  | { kind: 'config'; config: SseConfig | null }
  | {
      kind: 'partial';
      algorithm: SseAlgorithm;
      kmsKeyId: Known<string | undefined>;
      kmsDataEncryption: Known<'SM4' | undefined>;
    }
  | { kind: 'unknown'; why: string };

export type IacSource = 'terraform-plan' | 'ros-template';

/** One bucket as the IaC file plans it. */
export interface IacBucket {
  /** The file as it was named on the command line. */
  file: string;
  source: IacSource;
  /** Terraform resource address (`module.logs.alicloud_oss_bucket.this[0]`) or the ROS logical id. */
  address: string;
  resourceType: string;
  /** 1-based line of the resource in `file`, where the source gives it. */
  line?: number;
  name: Known<string>;
  region: Known<string>;
  tags: Known<Record<string, string>>;
  sse: PlannedSse;
  /** The encryption the bucket has before an update (Terraform `change.before`), for "never weaker". */
  before?: SseConfig | null;
  /** Where the encryption came from and other facts worth showing (`encryption set by ...`). */
  notes: string[];
}

/** An IaC file that cannot be read as a Terraform plan JSON or a ROS template: bad input from the command line. */
export class IacInputError extends ConfigError {
  readonly file: string;
  constructor(file: string, message: string, options?: { cause?: unknown }) {
    super(`${file}: ${message}`, options);
    this.file = file;
  }
}

/** Reads an SSE algorithm as the providers and OSS spell it; anything else is not one. */
export function parseAlgorithm(value: unknown): SseAlgorithm | undefined {
  if (value === 'AES256' || value === 'KMS' || value === 'SM4') return value;
  return undefined;
}

/** A KMS configuration whose key id and data encryption may each be unknown: `config` when both are known. */
export function plannedKms(
  kmsKeyId: Known<string | undefined>,
  kmsDataEncryption: Known<'SM4' | undefined>,
): PlannedSse {
  if (kmsKeyId.known && kmsDataEncryption.known) {
    const config: SseConfig = {
      algorithm: 'KMS',
      ...(kmsKeyId.value ? { kmsKeyId: kmsKeyId.value } : {}),
      ...(kmsDataEncryption.value ? { kmsDataEncryption: kmsDataEncryption.value } : {}),
    };
    return { kind: 'config', config };
  }
  return { kind: 'partial', algorithm: 'KMS', kmsKeyId, kmsDataEncryption };
}
