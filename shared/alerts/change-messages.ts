/**
 * What a change-triggered run says: one message per run that changed the bucket or left it with a
 * problem (sent through the one notify path, like the audit's alerts). A run that found the bucket
 * compliant and left it alone says nothing, which is what our own PutBucketEncryption's echo comes to.
 * The input is this module's own shape (the bucket watch's `RunOutcome` fits it), so alerts never
 * import the watch.
 */

import { type Finding, type FindingStatus, isProblem } from '../model.js';
import { describeConfig } from '../policy/levels.js';
import { type AlertMessage, describeKeyFacts, mdEscape, statusSeverity } from './messages.js';

/** Who made the change, as the event says. */
export interface ChangeActor {
  type?: string;
  accountId?: string;
  principalId?: string;
  userName?: string;
}

/** One change-triggered run, as its alert needs it. */
export interface ChangeRun {
  runId: string;
  change: {
    eventId: string;
    operation: string;
    bucket: string;
    region: string;
    eventTime?: string;
    actor?: ChangeActor;
  };
  /** A finding status, or `gone` when the bucket was deleted before it could be read. */
  status: FindingStatus | 'gone';
  finding?: Finding;
  /** Whether the run applied PutBucketEncryption. */
  changed: boolean;
  reason: string;
}

/** `ram-user Alice`, `assumed-role oss-sse-guard-fn:session`, `root-account 1234...`. Never the access key. */
export function describeActor(actor: ChangeActor | undefined): string {
  if (!actor) return 'an unknown caller';
  const who = actor.userName ?? actor.principalId ?? actor.accountId ?? 'unknown';
  return actor.type ? `${actor.type} ${who}` : who;
}

/** The messages one run should send (none when it found the bucket compliant and changed nothing). */
export function changeAlerts(run: ChangeRun, eventToCompliantMs?: number): AlertMessage[] {
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
