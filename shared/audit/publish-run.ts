/**
 * Publishing one audit run, in the order that keeps every record: the drift against the previous report,
 * then the alerts that drift calls for (through the one notify path), then the report files with the
 * deliveries in them. The report publisher writes; it does not alert.
 */

import { alertsForRun } from '../alerts/messages.js';
import { type AlertsSetup, notify } from '../alerts/notify.js';
import type { Logger } from '../log.js';
import type { Report } from '../model.js';
import { driftSinceLatest, type Published, publishReport } from '../report/publish.js';
import type { Format } from '../report/render.js';
import type { ReportStore } from '../report/store.js';

export interface PublishRunOptions {
  store: ReportStore;
  formats: readonly Format[];
  /** Absent (or without a configured sink): no alert is sent and the report records none. */
  alerts?: AlertsSetup;
  logger?: Logger;
}

/** Drift, alerts, reports: returns the report as written (drift and deliveries included). */
export async function publishRun(audited: Report, opts: PublishRunOptions): Promise<Published> {
  const drift = await driftSinceLatest(audited, opts);
  const report: Report = { ...audited, drift };
  if (opts.alerts?.config)
    report.alerts = await notify(alertsForRun(drift, report), opts.alerts, opts.logger);
  return publishReport(report, { store: opts.store, formats: opts.formats, drift, logger: opts.logger });
}
