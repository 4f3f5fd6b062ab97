/** Terminal plumbing for the CLI: a logger on stderr and a progress line when stderr is a TTY. */
import pino from 'pino';
import { createLogger, type Logger } from '../shared/log.js';

/** Logs go to stderr (stdout carries the report); quiet by default for people, LOG_LEVEL to change. */
export function cliLogger(): Logger {
  return createLogger({
    level: process.env.LOG_LEVEL ?? 'warn',
    destination: pino.destination({ dest: 2, sync: true }),
  });
}

/** A `checked N/M` line rewritten in place on a TTY; nothing otherwise. */
export function progressReporter(
  stream: NodeJS.WriteStream = process.stderr,
): ((done: number, total: number) => void) | undefined {
  if (!stream.isTTY) return undefined;
  let last = 0;
  return (done, total) => {
    const now = Date.now();
    if (done !== total && now - last < 100) return;
    last = now;
    stream.write(`\rchecked ${done}/${total} buckets${done === total ? '\n' : ''}`);
  };
}
