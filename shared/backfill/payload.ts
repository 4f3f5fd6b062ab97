/**
 * The backfill's events and settings, validated strictly (zod) at the border:
 * - the coordinator request a timer or a manual invoke of the bucket auditor carries,
 *   `{"mode":"backfill","bucket":"b","prefix":"p","remediate":true,"shards":8}`, either as the invoke
 *   event itself or as the timer event's `payload` string;
 * - the worker job (`WorkerJob`) the worker function receives;
 * - where the worker function is (`fcTargetFromEnv`).
 */
import { z } from 'zod';
import type { FcApiVersion } from '../cloud/fc.js';
import { ConfigError, EventError } from '../errors.js';
import { formatIssues } from '../policy/load.js';
import { eventText } from '../triggers.js';
import type { InventoryRequest } from './inventory.js';
import { MAX_SHARDS, RUN_ID, type Tuning, type WorkerJob } from './types.js';

const bucketName = z.string().regex(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/, 'must be a bucket name');

/** `tuning` of a backfill request: how workers page, how many objects at once, retries. */
export const tuningSchema = z
  .object({
    pageSize: z.number().int().min(1).max(1000).optional(),
    concurrency: z.number().int().min(1).max(256).optional(),
    reserveMs: z.number().min(0).max(600_000).optional(),
    retry: z
      .object({
        maxAttempts: z.number().int().min(1).max(20).optional(),
        baseMs: z.number().min(0).max(60_000).optional(),
        capMs: z.number().min(0).max(600_000).optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

/** The coordinator request (`{"mode":"backfill",...}`). */
export const backfillPayloadSchema = z
  .object({
    mode: z.literal('backfill'),
    /** One bucket, or several. */
    bucket: z.union([bucketName, z.array(bucketName).min(1).max(100)]),
    prefix: z.string().max(1023).optional(),
    remediate: z.boolean().default(false),
    shards: z.number().int().min(1).max(MAX_SHARDS).optional(),
    tuning: tuningSchema.optional(),
    /** `true`: the bucket's only usable inventory rule; a string: that rule's id (`backfill --inventory`). */
    inventory: z
      .union([z.literal(true), z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an inventory id')])
      .optional(),
    /** Refuse an inventory older than this many hours. */
    inventoryMaxAgeHours: z
      .number()
      .positive()
      .max(24 * 366)
      .optional(),
  })
  .strict();

/** A validated coordinator request, defaults applied. */
export type BackfillPayload = z.output<typeof backfillPayloadSchema>;

/** The worker event (`WorkerJob`). */
export const workerJobSchema = z
  .object({
    kind: z.literal('oss-sse-guard.backfill-worker'),
    runId: z.string().regex(RUN_ID),
    location: z.string().min(1).max(2048),
    shardId: z.string().regex(/^[a-z0-9.-]{1,100}$/),
    seq: z.number().int().min(0),
    token: z.string().min(1).max(100),
  })
  .strict();

function parseJson(event: Buffer | string | unknown): unknown {
  const text = eventText(event).trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * The backfill request in an event, or `undefined` when the event is not one (a plain timer event).
 * Throws `EventError` (one line per problem) for an event that asks for a backfill but is malformed.
 */
export function backfillRequestOf(event: Buffer | string | unknown): BackfillPayload | undefined {
  let data = parseJson(event);
  // A timer trigger carries its configured payload as a string: `{"triggerTime",..., "payload":"{...}"}`.
  if (isObject(data) && typeof data.payload === 'string' && data.mode === undefined)
    data = parseJson(data.payload);
  if (!isObject(data) || data.mode !== 'backfill') return undefined;
  const parsed = backfillPayloadSchema.safeParse(data);
  if (!parsed.success) {
    throw new EventError(`backfill request: ${formatIssues(parsed.error.issues).join('; ')}`);
  }
  return parsed.data;
}

/** The inventory part of a request (`inventory`, `inventoryMaxAgeHours`), or undefined. */
export function inventoryOf(p: BackfillPayload): InventoryRequest | undefined {
  if (p.inventory === undefined) return undefined;
  return {
    ...(typeof p.inventory === 'string' ? { id: p.inventory } : {}),
    ...(p.inventoryMaxAgeHours !== undefined ? { maxAgeHours: p.inventoryMaxAgeHours } : {}),
  };
}

/** The tuning of a request, without absent fields. */
export function tuningOf(p: BackfillPayload): Partial<Tuning> {
  return Object.fromEntries(
    Object.entries(p.tuning ?? {}).filter(([, v]) => v !== undefined),
  ) as Partial<Tuning>;
}

/** Parses a worker event; throws `EventError` naming each problem. */
export function parseWorkerJob(event: Buffer | string | unknown): WorkerJob {
  const parsed = workerJobSchema.safeParse(parseJson(event));
  if (!parsed.success)
    throw new EventError(`backfill worker event: ${formatIssues(parsed.error.issues).join('; ')}`);
  return parsed.data;
}

/** Where the worker function is, from the environment (defaults: FC 3.0, `oss-sse-guard-backfill-worker`). */
export interface FcTarget {
  apiVersion: FcApiVersion;
  functionName: string;
  service?: string;
  qualifier?: string;
}

/** The worker's function name in s.yaml. */
export const DEFAULT_WORKER_FUNCTION = 'oss-sse-guard-backfill-worker';

// Repeated here rather than imported from cloud/fc.ts, which loads @alicloud/fc2: the bucket auditor reads
// this module on every cold start, and only a backfill run needs the SDK.
const FC_APIS = ['2023-03-30', '2016-08-15'] as const satisfies readonly FcApiVersion[];

/**
 * `OSS_SSE_GUARD_FC_API` (`2023-03-30` default, or `2016-08-15`), `OSS_SSE_GUARD_BACKFILL_FUNCTION`,
 * `OSS_SSE_GUARD_FC_SERVICE` (required with `2016-08-15`), `OSS_SSE_GUARD_FC_QUALIFIER`.
 */
export function fcTargetFromEnv(env: NodeJS.ProcessEnv, functionName?: string, service?: string): FcTarget {
  const api = env.OSS_SSE_GUARD_FC_API?.trim() || FC_APIS[0];
  if (!(FC_APIS as readonly string[]).includes(api)) {
    throw new ConfigError(`OSS_SSE_GUARD_FC_API: "${api}" must be ${FC_APIS.join(' or ')}`);
  }
  const name = functionName || env.OSS_SSE_GUARD_BACKFILL_FUNCTION?.trim() || DEFAULT_WORKER_FUNCTION;
  if (!/^[A-Za-z_][A-Za-z0-9_-]{0,127}$/.test(name)) {
    throw new ConfigError(`OSS_SSE_GUARD_BACKFILL_FUNCTION: "${name}" is not a function name`);
  }
  const svc = service || env.OSS_SSE_GUARD_FC_SERVICE?.trim() || undefined;
  if (api === '2016-08-15' && !svc) {
    throw new ConfigError('OSS_SSE_GUARD_FC_SERVICE: the 2016-08-15 invoke path needs the service name');
  }
  const qualifier = env.OSS_SSE_GUARD_FC_QUALIFIER?.trim() || undefined;
  return {
    apiVersion: api as FcApiVersion,
    functionName: name,
    ...(svc && api === '2016-08-15' ? { service: svc } : {}),
    ...(qualifier ? { qualifier } : {}),
  };
}
