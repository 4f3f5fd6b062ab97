/**
 * The JSON report's schema, version 1, as zod: the source of docs/report.schema.json (JSON Schema, for
 * consumers) and the check that a report read back (drift's `latest.json`, `undo --report`) is one.
 * `satisfies` ties it to the TypeScript model, so the two cannot drift apart silently.
 */
import { z } from 'zod';
import type { Report } from '../model.js';
import { FINDING_STATUSES } from '../model.js';

const status = z.enum(FINDING_STATUSES as unknown as [string, ...string[]]);
const sse = z
  .object({
    algorithm: z.enum(['AES256', 'KMS', 'SM4']),
    kmsKeyId: z.string().optional(),
    kmsDataEncryption: z.literal('SM4').optional(),
  })
  .strict();

/** An encryption configuration as reports (and the change journal) store it. */
export { sse as sseConfigSchema };

const counts = z.record(z.string(), z.number().int().min(0));
const driftEntry = z
  .object({
    key: z.string(),
    bucket: z.string(),
    region: z.string(),
    from: status.optional(),
    to: status.optional(),
    reason: z.string(),
  })
  .strict();

export const findingSchema = z
  .object({
    bucket: z.string(),
    region: z.string(),
    status,
    observed: sse.nullable(),
    required: sse.nullable(),
    ruleId: z.string(),
    requirement: z.string().optional(),
    reason: z.string(),
    cis: z.array(z.string()).optional(),
    keyState: z.string().optional(),
    keyOrigin: z.string().optional(),
    keyProtection: z.string().optional(),
    action: z
      .object({
        kind: z.literal('put-bucket-encryption'),
        from: sse.nullable(),
        to: sse,
        requestId: z.string().optional(),
        at: z.string().optional(),
      })
      .strict()
      .optional(),
    error: z
      .object({
        code: z.string(),
        message: z.string(),
        status: z.number().optional(),
        requestId: z.string().optional(),
      })
      .strict()
      .optional(),
  })
  .strict();

export const reportSchema = z
  .object({
    schemaVersion: z.literal(1),
    runId: z.string().min(1),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime(),
    tool: z.object({ name: z.string(), version: z.string() }).strict(),
    mode: z.enum(['dry-run', 'remediate']),
    policy: z.object({ source: z.string(), sha256: z.string() }).strict(),
    summary: z
      .object({ total: z.number().int().min(0), byStatus: counts, byRegion: z.record(z.string(), counts) })
      .strict(),
    findings: z.array(findingSchema),
    incomplete: z
      .object({ reason: z.string(), unchecked: z.number().int().min(0) })
      .strict()
      .optional(),
    drift: z
      .object({
        previousRunId: z.string().optional(),
        currentRunId: z.string(),
        previousIncomplete: z.boolean(),
        becameNoncompliant: z.array(driftEntry),
        fixed: z.array(driftEntry),
        changed: z.array(driftEntry),
        appeared: z.array(driftEntry),
        disappeared: z.array(driftEntry),
        exemptionsExpired: z.array(driftEntry),
        unchangedProblems: z.number().int().min(0),
      })
      .strict()
      .optional(),
    alerts: z
      .array(
        z
          .object({
            sink: z.enum(['webhook', 'dingtalk']),
            target: z.string(),
            messageId: z.string(),
            kind: z.string(),
            ok: z.boolean(),
            attempts: z.number().int().min(0),
            status: z.number().optional(),
            error: z.string().optional(),
          })
          .strict(),
      )
      .optional(),
  })
  .strict();

/** Compile-time check only: every `Report` the code builds is accepted by the schema's input type. */
export const reportFitsSchema = (r: Report): z.input<typeof reportSchema> => r;

/** The JSON Schema document of the report (docs/report.schema.json). */
export function reportJsonSchema(): Record<string, unknown> {
  return {
    title: 'oss-sse-guard report, schemaVersion 1',
    ...(z.toJSONSchema(reportSchema, { target: 'draft-2020-12' }) as Record<string, unknown>),
  };
}
