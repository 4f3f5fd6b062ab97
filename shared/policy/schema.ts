/**
 * The policy file, version 1 (DESIGN.md section 4), as a strict zod schema: unknown keys are errors and
 * cross-field rules are checked, so a policy is validated whole before the first cloud call.
 */
import { z } from 'zod';
import { alertsSchema } from './alerts-schema.js';
import { compileGlob } from './glob-compile.js';

export const ALGORITHMS = ['AES256', 'KMS', 'SM4'] as const;
export const LEVELS = ['sse-oss', 'kms', 'kms-cmk'] as const;
export type Level = (typeof LEVELS)[number];

const nonEmpty = z.string().trim().min(1, 'must not be empty');

/** A glob (glob-compile.ts, docs/globs.md); rejected with the reason when it cannot be compiled. */
const glob = nonEmpty.max(1024, 'is longer than 1024 characters').superRefine((value, ctx) => {
  try {
    compileGlob(value);
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
const DATE_TIME =
  /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?(Z|[+-](\d{2}):(\d{2}))?)?$/;

/**
 * Whether the fields name a real calendar day and time: `Date.parse` rolls `2027-02-31` over to March 3,
 * so the day is checked against its month (leap years included) and every time field against its range.
 */
function realDateTime(m: RegExpExecArray): boolean {
  const [, y, mo, d, h = '0', mi = '0', sec = '0', , oh = '0', om = '0'] = m;
  const year = Number(y);
  const month = Number(mo);
  const day = Number(d);
  const lastDay = new Date(Date.UTC(year, month, 0)).getUTCDate();
  return (
    month >= 1 &&
    month <= 12 &&
    day >= 1 &&
    day <= lastDay &&
    Number(h) < 24 &&
    Number(mi) < 60 &&
    Number(sec) < 60 &&
    Number(oh) < 24 &&
    Number(om) < 60
  );
}

/** A calendar date `YYYY-MM-DD` or an ISO 8601 timestamp, refused when it names no real day or time. */
const dateString = z.union([z.string(), z.date()]).transform((v, ctx) => {
  const text = v instanceof Date ? v.toISOString() : v.trim();
  const m = DATE_TIME.exec(text);
  if (!m || Number.isNaN(Date.parse(text)) || !realDateTime(m)) {
    ctx.addIssue({
      code: 'custom',
      message: `must be a date YYYY-MM-DD or an ISO 8601 time (a real day), got ${JSON.stringify(text.slice(0, 40))}`,
    });
    return z.NEVER;
  }
  return text;
});

/**
 * Tag selectors, all of which must match. Never empty (a selector of no tags would match every bucket),
 * and `constructor` / `prototype` are ordinary tag keys compared as own keys (`ruleMatches`); `__proto__`
 * is refused earlier, by the loader, because a plain object cannot hold it as data.
 */
const tagsSchema = z
  .record(nonEmpty.max(128, 'is longer than 128 characters (the OSS limit for a tag key)'), z.string())
  .refine(
    (t) => Object.keys(t).length > 0,
    'must list at least one tag (an empty selector would match every bucket)',
  );

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
    tags: tagsSchema.optional(),
    /** Organization runs: member account ids or display names (globs); never matches a single-account run. */
    accounts: z.array(glob).min(1, 'must list at least one account id or name').optional(),
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

/** Which accounts or folders (ids or display names, globs) an organization run covers. */
const selectionSchema = z
  .object({
    include: z.array(glob).min(1, 'must list at least one id or name').optional(),
    exclude: z.array(glob).default([]),
  })
  .strict();

/** An organization run (`audit --org`): the member role to assume and which members are in. */
export const organizationSchema = z
  .object({
    role: nonEmpty
      .regex(/^[A-Za-z0-9.-]{1,64}$/, 'must be a RAM role name (1-64 letters, digits, . -)')
      .default('oss-sse-guard-auditor'),
    accounts: selectionSchema.optional(),
    folders: selectionSchema.optional(),
    /** Member accounts audited at once. */
    concurrency: z.number().int('must be a whole number').min(1).max(64).default(4),
    /** Remediations across the whole organization per run (each account keeps limits.maxRemediationsPerRun). */
    maxRemediations: z.number().int('must be a whole number').min(0).max(1_000_000).optional(),
    /** Fan out over Function Compute when more accounts than this are selected (0: always in one process). */
    fanOutAbove: z.number().int('must be a whole number').min(0).max(100_000).default(10),
    /** Accounts per worker invocation when fanned out. */
    accountsPerWorker: z.number().int('must be a whole number').min(1).max(1000).default(1),
  })
  .strict();
export type OrganizationPolicy = z.output<typeof organizationSchema>;

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
    organization: organizationSchema.optional(),
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
