/**
 * The bucket watch's vocabulary: the outcome of one audit run started by a change, the result reported for
 * each event, and the summary of one invocation.
 */
import type { DeliveryRecord } from '../alerts/deliver.js';
import type { Finding, FindingStatus, Report } from '../model.js';
import type { Actor, BucketChange, ChangeKind } from './change.js';
import type { IgnoredEvent, IgnoredKind } from './envelope.js';

/** A finding status, or `gone` when the bucket was deleted before it could be read. */
export type WatchStatus = FindingStatus | 'gone';

/** The report of a change-triggered run: the audit report of one bucket plus what triggered it. */
export interface WatchReport extends Report {
  trigger: {
    kind: 'bucket-watch';
    eventId: string;
    type: string;
    operation: string;
    eventTime?: string;
    actor?: Actor;
    /** From the change (event time) to the bucket seen compliant (report `finishedAt`), in ms. */
    eventToCompliantMs?: number;
  };
}

/** One audit run for one bucket, shared by every event coalesced into it. */
export interface RunOutcome {
  runId: string;
  /** The change that started the run. */
  change: BucketChange;
  status: WatchStatus;
  finding?: Finding;
  report?: WatchReport;
  /** Whether this run applied PutBucketEncryption. */
  changed: boolean;
  /** When the run saw the bucket compliant (epoch ms); absent unless `compliant` or `remediated`. */
  compliantAtMs?: number;
  reason: string;
  /** The run could not finish for a reason worth a retry (throttling, 5xx, network, deadline). */
  retryable: boolean;
  alerts: DeliveryRecord[];
  /** Where the run's report was written, if it was. */
  reportPath?: string;
}

/** What the watch concluded about one event that reported a bucket change. */
export interface WatchResult {
  index: number;
  eventId: string;
  kind: ChangeKind;
  operation: string;
  bucket: string;
  region: string;
  eventTime?: string;
  actor?: Actor;
  /** The change was made with an access key this instance itself uses: our own remediation's echo. */
  ownChange: boolean;
  status: WatchStatus;
  /** Whether handling this event changed the bucket (false for an event that joined another's run). */
  changed: boolean;
  /** The event joined an audit already queued for the bucket (burst coalescing). */
  coalesced: boolean;
  /** From this event's time to the bucket seen compliant, in ms (never negative; event times may be whole seconds). */
  eventToCompliantMs?: number;
  ruleId?: string;
  reason: string;
  runId: string;
}

/** One invocation of the watch. */
export interface WatchSummary {
  /** Events in the payload (0 when the payload itself was unusable). */
  events: number;
  results: WatchResult[];
  ignored: IgnoredEvent[];
  ignoredByKind: Record<IgnoredKind, number>;
  byStatus: Partial<Record<WatchStatus, number>>;
  /** PutBucketEncryption calls this invocation made. */
  changesApplied: number;
  alerts: { sent: number; failed: number };
  /** A cloud error worth retrying happened: the function should fail so Function Compute retries it. */
  retryableFailure: boolean;
}
