/**
 * The `alerts` section of the policy file, strict (part of the file format, so it lives with the policy;
 * shared/alerts/ reads it). Secrets are never written in the file: a sink names
 * the environment variable that holds its secret (`secretEnv`), and may take its URL from one too
 * (`urlEnv`), which keeps a DingTalk `access_token` out of the policy.
 *
 * ```yaml
 * alerts:
 *   minSeverity: warning            # info | warning | critical (default warning)
 *   webhook:
 *     url: https://hooks.example.com/oss-sse-guard
 *     secretEnv: OSS_SSE_GUARD_WEBHOOK_SECRET
 *   dingtalk:
 *     urlEnv: OSS_SSE_GUARD_DINGTALK_URL   # https://oapi.dingtalk.com/robot/send?access_token=...
 *     secretEnv: OSS_SSE_GUARD_DINGTALK_SECRET
 * ```
 */
import { z } from 'zod';

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
/** How urgent a message is: `critical` buckets are not encrypted as required, `warning` needs a look. */
export type Severity = (typeof SEVERITIES)[number];

const envName = z
  .string()
  .regex(/^[A-Z_][A-Z0-9_]*$/, 'must be an environment variable name such as OSS_SSE_GUARD_WEBHOOK_SECRET');

const httpUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return (u.protocol === 'https:' || u.protocol === 'http:') && u.username === '' && u.password === '';
    } catch {
      return false;
    }
  }, 'must be an http(s) URL without user:password');

const sinkSchema = z
  .object({
    url: httpUrl.optional(),
    urlEnv: envName.optional(),
    secretEnv: envName.optional(),
    // Named only to answer a common mistake with a useful message instead of "unknown key".
    secret: z
      .never({ error: 'is not allowed in the policy: put it in an environment variable named by secretEnv' })
      .optional(),
  })
  .strict()
  .superRefine((s, ctx) => {
    if ((s.url === undefined) === (s.urlEnv === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'needs exactly one of url, urlEnv', path: [] });
    }
  });
export type SinkConfig = z.infer<typeof sinkSchema>;

/** The policy file's `alerts` section (add it to the policy schema as `alerts: alertsSchema.optional()`). */
export const alertsSchema = z
  .object({
    webhook: sinkSchema.optional(),
    dingtalk: sinkSchema.optional(),
    minSeverity: z.enum(SEVERITIES, { error: 'must be one of info, warning, critical' }).optional(),
  })
  .strict();
export type AlertsConfig = z.infer<typeof alertsSchema>;
