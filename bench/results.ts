/** bench/results.json: the figures as a tree (`scan.ratioToBound` -> `{scan: {ratioToBound}}`), and the targets. */

type Figure = number | boolean | null;

export interface Target {
  name: string;
  met: boolean;
  line: string;
}

/** Dotted keys to nested objects, for `results.scan.ratioToBound`. */
export function resultsTree(figures: Record<string, Figure>): Record<string, unknown> {
  const root: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(figures).sort(([a], [b]) => a.localeCompare(b))) {
    const parts = key.split('.');
    let node = root;
    for (const part of parts.slice(0, -1)) {
      const next = node[part];
      if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
      else node = node[part] = {} as Record<string, unknown>;
    }
    node[parts[parts.length - 1] ?? key] = value;
  }
  return root;
}

const show = (v: Figure | undefined, unit = '') => (typeof v === 'number' ? `${v}${unit}` : 'n/a');

/** The issue's targets, as shipped and with the proposals. */
export function targetsOf(f: Record<string, Figure>): Target[] {
  const num = (k: string) => (typeof f[k] === 'number' ? (f[k] as number) : undefined);
  const best = (...keys: string[]) => keys.map(num).filter((v): v is number => v !== undefined);
  const ratio = num('scan.ratioToBound');
  const proposals = (suffix: string) =>
    best(...Object.keys(f).filter((k) => k.startsWith('scan.proposals.') && k.endsWith(suffix)));
  const ratioBest = Math.min(...proposals('.ratioToBound'));
  const speed = num('scan.speedupVsSequential');
  const speedBest = Math.max(...proposals('.speedupVsSequential'));
  const share = num('throttle.shareOfCap');
  const lost = num('throttle.lost');
  const shareC = num('throttle.proposals.adaptive.shareOfCap');
  const lostC = num('throttle.proposals.adaptive.lost');
  const rss = num('memory.peakRssMB');
  const rssP = num('memory.proposals.peakRssMB');
  const ok = (v: number | undefined, test: (x: number) => boolean) =>
    v !== undefined && Number.isFinite(v) && test(v);
  return [
    {
      name: 'scan.ratioToBound',
      met: ok(ratio, (v) => v <= 1.25),
      line: `full audit wall / bound <= 1.25: ${show(ratio, 'x')} | ${Number.isFinite(ratioBest) ? `${ratioBest}x` : 'n/a'}`,
    },
    {
      name: 'scan.speedupVsSequential',
      met: ok(speed, (v) => v >= 50),
      line: `speed-up vs the sequential docs sample >= 50x: ${show(speed, 'x')} | ${Number.isFinite(speedBest) ? `${speedBest}x` : 'n/a'}`,
    },
    {
      name: 'throttle.shareOfCap',
      met: ok(share, (v) => v >= 0.9) && lost === 0,
      line: `throughput under a QPS cap >= 0.9 Q with 0 lost: ${show(share)} Q, ${show(lost)} lost | ${show(shareC)} Q, ${show(lostC)} lost`,
    },
    {
      name: 'memory.peakRssMB',
      met: ok(rss, (v) => v <= 256),
      line: `peak RSS of a 100,000-bucket audit with reports <= 256 MB: ${show(rss, ' MB')} | ${show(rssP, ' MB')}`,
    },
  ];
}
