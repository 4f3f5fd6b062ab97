/**
 * What a change-triggered run says, and where it goes: one message per run that changed the bucket or
 * left it with a problem, sent through the same sinks, severities and delivery as the audit's alerts
 * (`buildSinks` + `sendAlerts`). A run that found the bucket compliant and left it alone says nothing,
 * which is what our own PutBucketEncryption's echo comes to.
 */
import type { DeliveryOptions, DeliveryRecord } from '../alerts/deliver.js';
import { sendAlerts } from '../alerts/deliver.js';
import { type AlertMessage, describeKeyFacts, mdEscape, statusSeverity } from '../alerts/messages.js';
import type { AlertsConfig } from '../alerts/schema.js';
import { buildSinks } from '../alerts/sinks.js';
import type { Logger } from '../log.js';
import { describeConfig } from '../policy/levels.js';
import { isProblem } from '../report/drift.js';
import type { Actor } from './change.js';
import type { RunOutcome } from './types.js';

/** `ram-user Alice`, `assumed-role oss-sse-guard-fn:session`, `root-account 1234...`. Never the access key. */
export function describeActor(actor: Actor | undefined): string {
  if (!actor) return 'an unknown caller';
  const who = actor.userName ?? actor.principalId ?? actor.accountId ?? 'unknown';
  return actor.type ? `${actor.type} ${who}` : who;
}

/** The messages one run should send (none when it found the bucket compliant and changed nothing). */
export function changeAlerts(run: RunOutcome, eventToCompliantMs?: number): AlertMessage[] {
  const { change, finding, status } = run;
  if (status === 'gone' || status === 'exempt' || (status === 'compliant' && !run.changed)) return [];
  const where = `${change.bucket} (${change.region})`;
  const fixed = status === 'remediated';
  const timing =
    eventToCompliantMs === undefined
      ? ''
      : `, compliant ${Math.round(eventToCompliantMs)} ms after the change`;
  const lines = [
    `**${mdEscape(change.bucket)}** (${mdEscape(change.region)}): ${status} after ${change.operation} by ${mdEscape(describeActor(change.actor))}${mdEscape(timing)}.`,
    '',
    `- Event: ${mdEscape(change.eventId)} at ${mdEscape(change.eventTime ?? 'an unknown time')}`,
    `- Now: ${mdEscape(describeConfig(finding?.observed ?? null))}`,
    `- Required: ${mdEscape(finding?.requirement ?? '?')} (rule ${mdEscape(finding?.ruleId ?? '?')})`,
    `- Reason: ${mdEscape(run.reason)}`,
    ...(finding?.cis?.length ? [`- CIS: ${finding.cis.map(mdEscape).join(', ')}`] : []),
    ...(finding?.keyState ? [`- KMS key: ${mdEscape(describeKeyFacts(finding))}`] : []),
    `- Run: ${mdEscape(run.runId)}`,
  ];
  const severity = status === 'error' ? 'warning' : fixed ? 'info' : statusSeverity(status);
  return [
    {
      id: `${run.runId}:${change.region}/${change.bucket}:${status}`,
      // The alert vocabulary has no "change" kind: a fix is this run's summary, anything else a new problem.
      kind: isProblem(status) ? 'new-problem' : 'run-summary',
      severity,
      title: fixed
        ? `${where}: encryption restored after ${change.operation}`
        : `${where} is ${status} after ${change.operation}`,
      text: lines.join('\n'),
      data: {
        trigger: 'bucket-watch',
        runId: run.runId,
        eventId: change.eventId,
        bucket: change.bucket,
        region: change.region,
        operation: change.operation,
        actor: describeActor(change.actor),
        eventTime: change.eventTime,
        status,
        ruleId: finding?.ruleId,
        cis: finding?.cis ?? [],
        ...(eventToCompliantMs === undefined ? {} : { eventToCompliantMs }),
      },
    },
  ];
}

/** Sends a run's messages to the configured sinks; never rejects. Returns one record per delivery. */
export async function sendChangeAlerts(
  messages: readonly AlertMessage[],
  alerts: { config: AlertsConfig | undefined; env: NodeJS.ProcessEnv; delivery?: DeliveryOptions },
  logger: Logger,
): Promise<DeliveryRecord[]> {
  if (!alerts.config || messages.length === 0) return [];
  const { sinks, problems } = buildSinks(alerts.config, alerts.env);
  const sent = await sendAlerts(messages, sinks, {
    ...alerts.delivery,
    minSeverity: alerts.config.minSeverity,
    logger,
  });
  return [...problems, ...sent];
}
