/**
 * Publishing a run: compare with the previous report (drift), send alerts for what changed (recording
 * delivery in the report), write every format, a SHA-256 manifest of the run's files, and `latest.json`
 * last, so a failed run never replaces the previous baseline.
 */
import type { Logger } from 'pino';
import type { DeliveryOptions } from '../alerts/deliver.js';
import { sendAlerts } from '../alerts/deliver.js';
import { alertsForRun } from '../alerts/messages.js';
import type { AlertsConfig } from '../alerts/schema.js';
import { buildSinks } from '../alerts/sinks.js';
import type { Report } from '../model.js';
import { computeDrift } from './drift.js';
import { buildManifest, MANIFEST_EXTENSION } from './manifest.js';
import { EXTENSIONS, type Format, render } from './render.js';
import type { ReportStore } from './store.js';

const CONTENT_TYPES: Record<string, string> = {
  json: 'application/json',
  csv: 'text/csv; charset=utf-8',
  md: 'text/markdown; charset=utf-8',
  html: 'text/html; charset=utf-8',
  txt: 'text/plain; charset=utf-8',
  [MANIFEST_EXTENSION]: 'text/plain; charset=utf-8',
};

export interface PublishOptions {
  store: ReportStore;
  formats: readonly Format[];
  alerts?: { config: AlertsConfig | undefined; env: NodeJS.ProcessEnv; delivery?: DeliveryOptions };
  logger?: Logger;
}

export interface Published {
  report: Report;
  written: string[];
}

/** Adds drift and alert deliveries to the report, then writes it. Returns the completed report. */
export async function publishReport(input: Report, opts: PublishOptions): Promise<Published> {
  const previous = await opts.store.readLatest().catch((err: unknown) => {
    opts.logger?.warn(
      { err: (err as Error).message },
      'previous report unreadable; drift starts a new baseline',
    );
    return undefined;
  });
  const report: Report = { ...input, drift: computeDrift(previous, input) };
  if (opts.alerts?.config && report.drift) {
    const { sinks, problems } = buildSinks(opts.alerts.config, opts.alerts.env);
    const messages = alertsForRun(report.drift, report);
    const sent = await sendAlerts(messages, sinks, {
      ...opts.alerts.delivery,
      minSeverity: opts.alerts.config.minSeverity,
      logger: opts.logger,
    });
    report.alerts = [...problems, ...sent];
  }
  // One format in memory at a time: rendered, written, hashed, dropped (a 100,000-bucket run renders to
  // ~90 MB of text). Only the JSON is kept, for latest.json.
  const written: string[] = [];
  const manifestLines: Array<{ name: string; line: string }> = [];
  let json: string | undefined;
  for (const format of new Set<Format>([...opts.formats, 'json'])) {
    const ext = EXTENSIONS[format];
    const path = opts.store.runPath(report, ext);
    const name = path.split('/').pop() ?? path;
    const content = render(report, format);
    if (format === 'json') json = content;
    written.push(await opts.store.write(path, content, CONTENT_TYPES[ext] ?? 'text/plain'));
    manifestLines.push({ name, line: buildManifest([{ name, content }]) });
  }
  manifestLines.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  written.push(
    await opts.store.write(
      opts.store.runPath(report, MANIFEST_EXTENSION),
      manifestLines.map((l) => l.line).join(''),
      CONTENT_TYPES[MANIFEST_EXTENSION] ?? '',
    ),
  );
  written.push(
    await opts.store.write(opts.store.latestPath(), json ?? render(report, 'json'), 'application/json'),
  );
  return { report, written };
}
