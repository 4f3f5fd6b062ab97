/**
 * The policy file, version 1 (DESIGN.md section 4), as a strict zod schema: unknown keys are errors and
 * cross-field rules are checked, so a policy is validated whole before the first cloud call.
 */
import picomatch from 'picomatch';
import { z } from 'zod';
import { alertsSchema } from './alerts-schema.js';

export const ALGORITHMS = ['AES256', 'KMS', 'SM4'] as const;
export const LEVELS = ['sse-oss', 'kms', 'kms-cmk'] as const;
export type Level = (typeof LEVELS)[number];

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A glob as picomatch reads it; rejected when picomatch cannot compile it. */
const glob = nonEmpty.max(1024, 'is longer than 1024 characters').superRefine((value, ctx) => {
  try {
    picomatch.makeRe(value, { strictBrackets: true });
  } catch (err) {
    ctx.addIssue({ code: 'custom', message: `is not a valid glob (${(err as Error).message})` });
  }
});

/** A KMS key reference: a key id, an ARN `acs:kms:<region>:<account>:key/<id>`, or `alias/<name>`. */
const KEY_REF = /^(alias\/[A-Za-z0-9:/_-]+|acs:kms:[a-z0-9-]+:\d+:key\/[A-Za-z0-9-]+|[A-Za-z0-9-]{1,128})$/;
const kmsKeyId = nonEmpty.regex(
  KEY_REF,
  'must be a KMS key id, an ARN acs:kms:<region>:<account>:key/<id>, or alias/<name>',
);

/**
 * A requirement: either an algorithm (`{algorithm, kmsKeyId?, kmsDataEncryption?}`) or a minimum level
 * (`{minimum, kmsKeyId?, kmsDataEncryption?}`, where the key and data encryption say what remediation applies).
 */
export const requirementSchema = z
  .object({
    algorithm: z.enum(ALGORITHMS, { error: 'must be one of AES256, KMS, SM4' }).optional(),
    minimum: z.enum(LEVELS, { error: 'must be one of sse-oss, kms, kms-cmk' }).optional(),
    kmsKeyId: kmsKeyId.optional(),
    kmsDataEncryption: z.literal('SM4', { error: 'must be SM4' }).optional(),
    /** The CMK's key material must be in an HSM (DescribeKey `ProtectionLevel` HSM). */
    keyProtection: z.literal('hsm', { error: 'must be hsm' }).optional(),
    /** The CMK's key material must be imported, BYOK (DescribeKey `Origin` EXTERNAL). */
    keyOrigin: z.literal('external', { error: 'must be external' }).optional(),
  })
  .strict()
  .superRefine((r, ctx) => {
    if (r.algorithm === undefined && r.minimum === undefined) {
      ctx.addIssue({ code: 'custom', message: 'needs either algorithm or minimum', path: [] });
    }
    if (r.algorithm !== undefined && r.minimum !== undefined) {
      ctx.addIssue({ code: 'custom', message: 'cannot be given together with algorithm', path: ['minimum'] });
    }
    const kmsCapable = r.algorithm === 'KMS' || r.minimum === 'kms' || r.minimum === 'kms-cmk';
    if (r.kmsKeyId !== undefined && !kmsCapable) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs algorithm KMS (or minimum kms / kms-cmk)',
        path: ['kmsKeyId'],
      });
    }
    // Only a customer CMK has HSM-backed or imported material: the requirement must ask for one.
    const cmk = r.minimum === 'kms-cmk' || (r.algorithm === 'KMS' && r.kmsKeyId !== undefined);
    for (const field of ['keyProtection', 'keyOrigin'] as const) {
      if (r[field] !== undefined && !cmk) {
        ctx.addIssue({
          code: 'custom',
          message: 'needs a customer CMK: minimum kms-cmk, or algorithm KMS with kmsKeyId',
          path: [field],
        });
      }
    }
    if (r.kmsDataEncryption !== undefined && !kmsCapable) {
      ctx.addIssue({
        code: 'custom',
        message: 'needs algorithm KMS (or minimum kms / kms-cmk)',
        path: ['kmsDataEncryption'],
      });
    }
  });
export type Requirement = z.infer<typeof requirementSchema>;

const matchSchema = z.enum(['at-least', 'exact'], { error: 'must be at-least or exact' });

/** A calendar date `YYYY-MM-DD` or an ISO 8601 timestamp. */
const dateString = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const text = v instanceof Date ? v.toISOString() : v.trim();
  const ok = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?$/.test(text);
  if (!ok || Number.isNaN(Date.parse(text))) {
    ctx.addIssue({ code: 'custom', message: `must be a date YYYY-MM-DD or an ISO 8601 time, got "${text}"` });
    return z.NEVER;
  }
  return text;
});

const exemptSchema = z
  .object({
    reason: nonEmpty.max(1000, 'is longer than 1000 characters'),
    until: dateString.optional(),
  })
  .strict();

const region = nonEmpty.regex(/^[a-z0-9*?-]+$/, 'must be a region id such as cn-hangzhou (globs allowed)');

export const ruleSchema = z
  .object({
    id: nonEmpty.regex(/^[A-Za-z0-9._:-]{1,64}$/, 'must be 1-64 letters, digits, . _ : -'),
    description: z.string().max(2000).optional(),
    buckets: z.array(glob).min(1, 'must list at least one glob').optional(),
    regions: z.array(region).min(1, 'must list at least one region').optional(),
    tags: z.record(nonEmpty, z.string()).optional(),
    sse: requirementSchema.optional(),
    match: matchSchema.optional(),
    remediate: z.boolean({ error: 'must be true or false' }).optional(),
    exempt: exemptSchema.optional(),
  })
  .strict();
export type Rule = z.infer<typeof ruleSchema>;

export const objectsSchema = z
  .object({
    action: z
      .enum(['alert', 'encrypt', 'ignore'], { error: 'must be alert, encrypt or ignore' })
      .default('alert'),
    buckets: z.array(glob).min(1).default(['*']),
    include: z.array(glob).min(1).default(['**']),
    exclude: z.array(glob).default([]),
    sse: requirementSchema.default({ minimum: 'sse-oss' }),
    match: matchSchema.default('at-least'),
  })
  .strict();

const limitsSchema = z
  .object({
    maxRemediationsPerRun: z.number().int('must be a whole number').min(0).max(100_000).default(50),
    concurrency: z.number().int('must be a whole number').min(1).max(512).default(32),
  })
  .strict();

const defaultsSchema = z
  .object({
    sse: requirementSchema.default({ minimum: 'sse-oss' }),
    match: matchSchema.default('at-least'),
    remediate: z.boolean({ error: 'must be true or false' }).default(false),
  })
  .strict();

export const policySchema = z
  .object({
    version: z.literal(1, { error: 'must be 1' }),
    description: z.string().max(2000).optional(),
    defaults: defaultsSchema.default({ sse: { minimum: 'sse-oss' }, match: 'at-least', remediate: false }),
    rules: z.array(ruleSchema).max(1000, 'has more than 1000 rules').default([]),
    objects: objectsSchema.optional(),
    alerts: alertsSchema.optional(),
    limits: limitsSchema.default({ maxRemediationsPerRun: 50, concurrency: 32 }),
  })
  .strict()
  .superRefine((p, ctx) => {
    const seen = new Map<string, number>();
    p.rules.forEach((rule, i) => {
      const first = seen.get(rule.id);
      if (first !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `duplicates the id of rules[${first}]`,
          path: ['rules', i, 'id'],
        });
      } else seen.set(rule.id, i);
      // A rule that remediates to "at least kms-cmk" must say which CMK to apply.
      const sse = rule.sse ?? p.defaults.sse;
      const remediate = rule.remediate ?? p.defaults.remediate;
      if (!rule.exempt && remediate && sse.minimum === 'kms-cmk' && !sse.kmsKeyId) {
        ctx.addIssue({
          code: 'custom',
          message: 'minimum kms-cmk with remediate: true needs kmsKeyId (the CMK to apply)',
          path: rule.sse ? ['rules', i, 'sse', 'kmsKeyId'] : ['defaults', 'sse', 'kmsKeyId'],
        });
      }
    });
    if (p.defaults.remediate && p.defaults.sse.minimum === 'kms-cmk' && !p.defaults.sse.kmsKeyId) {
      ctx.addIssue({
        code: 'custom',
        message: 'minimum kms-cmk with remediate: true needs kmsKeyId (the CMK to apply)',
        path: ['defaults', 'sse', 'kmsKeyId'],
      });
    }
    if (p.objects?.action === 'encrypt' && p.objects.sse.minimum === 'kms-cmk' && !p.objects.sse.kmsKeyId) {
      ctx.addIssue({
        code: 'custom',
        message: 'minimum kms-cmk with action encrypt needs kmsKeyId (the CMK to apply)',
        path: ['objects', 'sse', 'kmsKeyId'],
      });
    }
  });

export type Policy = z.output<typeof policySchema>;
export type ObjectsPolicy = z.output<typeof objectsSchema>;
export type PolicyInput = z.input<typeof policySchema>;
