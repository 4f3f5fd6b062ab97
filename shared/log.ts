/**
 * The one logger factory. JSON lines in functions; pretty-ish single lines on a TTY in the CLI is left to
 * the caller's destination. Every credential path is redacted, at any depth we log.
 */
import pino, { type DestinationStream, type Logger } from 'pino';

export type { Logger } from 'pino';

/** Paths pino censors wherever they appear in a logged object (two levels deep, and headers). */
export const REDACT_PATHS = [
  'accessKeySecret',
  'securityToken',
  'secret',
  'password',
  'authorization',
  'signature',
  'webhookSecret',
  '*.accessKeySecret',
  '*.securityToken',
  '*.secret',
  '*.password',
  '*.authorization',
  '*.Authorization',
  '*.signature',
  '*.webhookSecret',
  '*.*.accessKeySecret',
  '*.*.securityToken',
  '*.*.secret',
  '*.*.authorization',
  '*.*.Authorization',
  'headers.authorization',
  'headers["x-oss-security-token"]',
  'headers["x-acs-security-token"]',
  'credentials',
  '*.credentials',
];

export interface LoggerOptions {
  level?: string;
  /** Where lines go; default stdout. Tests pass a stream and parse the lines. */
  destination?: DestinationStream;
  base?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const level = opts.level ?? process.env.LOG_LEVEL ?? 'info';
  return pino(
    {
      level,
      base: opts.base ?? { app: 'oss-sse-guard' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    opts.destination ?? pino.destination({ dest: 1, sync: true }),
  );
}

/** A logger that drops everything (for library callers that pass none). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}
