/**
 * Flags validated by one zod schema per command, through one helper: `parseFlags(schema, opts)` gives the
 * typed values or throws a `ConfigError` naming the flag (`--concurrency: "lots" must be a whole number
 * from 1 to 512`), which the runner (cli/run.ts) prints and maps to exit 2. Commander hands every value
 * as a string; the builders below turn them into what the command uses, with messages that quote the value.
 */
import { type ZodType, z } from 'zod';
import { ConfigError } from '../shared/errors.js';

/** `deadlineSeconds` -> `--deadline-seconds`. */
export function flagName(key: PropertyKey | undefined): string {
  if (typeof key !== 'string') return 'flags';
  return `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
}

/** The flags as the schema's output, or a `ConfigError` for the first bad one, naming it. */
export function parseFlags<S extends ZodType>(schema: S, flags: unknown): z.output<S> {
  const parsed = schema.safeParse(flags);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  throw new ConfigError(`${flagName(issue?.path[0])}: ${issue?.message ?? 'is not valid'}`);
}

/** A required text flag (missing or empty: `is required`). */
export const required = () =>
  z.string({ error: 'is required' }).refine((v) => v !== '', { error: 'is required' });

/** A text flag that must match `re`; `message` says what the value is not. */
export const matching = (re: RegExp, message: (value: string) => string) =>
  z.string().superRefine((v, ctx) => {
    if (!re.test(v)) ctx.addIssue({ code: 'custom', message: message(v) });
  });

/** A whole number from `min` to `max`. */
export const wholeNumber = (min: number, max: number) =>
  z.string().transform((v, ctx) => {
    const n = Number(v);
    if (Number.isInteger(n) && n >= min && n <= max) return n;
    ctx.addIssue({ code: 'custom', message: `"${v}" must be a whole number from ${min} to ${max}` });
    return z.NEVER;
  });

/** A comma-separated list, items trimmed, empty items dropped. */
export const commaList = () =>
  z.string().transform((v) =>
    v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );

/** A comma-separated list of `allowed` values, at least one (`--format table,json`). */
export const choices = <T extends string>(allowed: readonly T[], what: string) =>
  commaList().transform((items, ctx) => {
    const bad = items.find((f) => !(allowed as readonly string[]).includes(f));
    if (bad !== undefined) {
      ctx.addIssue({ code: 'custom', message: `"${bad}" is not one of ${allowed.join(', ')}` });
      return z.NEVER;
    }
    if (items.length === 0) {
      ctx.addIssue({ code: 'custom', message: `give at least one ${what}` });
      return z.NEVER;
    }
    return items as T[];
  });

/** One of `allowed`; `message` says what the value must be. */
export const oneOf = <T extends string>(allowed: readonly T[], message: (value: string) => string) =>
  z.string().transform((v, ctx) => {
    if ((allowed as readonly string[]).includes(v)) return v as T;
    ctx.addIssue({ code: 'custom', message: message(v) });
    return z.NEVER;
  });

/** A region id such as cn-hangzhou. */
export const regionId = () =>
  matching(/^[a-z0-9-]+$/, (v) => `"${v}" is not a region id such as cn-hangzhou`);
