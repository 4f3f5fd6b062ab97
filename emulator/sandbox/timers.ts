/**
 * Timer triggers on their `cronExpression` (fc3 TimerTriggerConfig): a six-field cron expression with
 * seconds first (`0 0 4 * * *`), evaluated in UTC unless prefixed `CRON_TZ=<zone> `, or an interval
 * `@every 4m` (Go duration units h, m, s). Times come from the sandbox's clock, so tests and demos drive
 * them without waiting. The event is the documented timer event `{"triggerTime","triggerName","payload"}`
 * with the time in whole seconds, as in the sample (`2023-12-26T07:49:00Z`).
 */
import { CronExpressionParser } from 'cron-parser';

/** The next firing strictly after `after`. */
export function nextFiring(expression: string, after: Date): Date {
  const every = /^@every\s+((?:\d+[hms])+)$/.exec(expression.trim());
  if (every) {
    let ms = 0;
    for (const [, n, unit] of (every[1] ?? '').matchAll(/(\d+)([hms])/g)) {
      ms += Number(n) * (unit === 'h' ? 3_600_000 : unit === 'm' ? 60_000 : 1000);
    }
    if (ms <= 0) throw new RangeError(`cronExpression "${expression}": the interval must be positive`);
    return new Date(after.getTime() + ms);
  }
  const tz = /^CRON_TZ=(\S+)\s+(.+)$/.exec(expression.trim());
  const it = CronExpressionParser.parse(tz ? (tz[2] ?? '') : expression, {
    currentDate: after,
    tz: tz ? tz[1] : 'UTC',
  });
  return it.next().toDate();
}

/** The timer trigger event as Function Compute delivers it. */
export function timerEvent(triggerName: string, at: Date, payload?: string): Buffer {
  const triggerTime = `${at.toISOString().slice(0, 19)}Z`;
  return Buffer.from(JSON.stringify({ triggerTime, triggerName, payload: payload ?? '' }));
}
