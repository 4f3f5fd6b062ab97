/** bench/results.json: the figures as a tree (`scan.ratioToBound` -> `{scan: {ratioToBound}}`), and the targets. */

type Figure = number | boolean | null;

export interface Target {
  name: string;
  met: boolean;
  /** False when this run measured none of the target's figures (a run of some cases only). */
  measured: boolean;
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

/** A results tree back to dotted keys (the inverse of `resultsTree`); `targets` is left out. */
export function flattenResults(tree: Record<string, unknown>, prefix = ''): Record<string, Figure> {
  const out: Record<string, Figure> = {};
  for (const [k, v] of Object.entries(tree)) {
    if (prefix === '' && k === 'targets') continue;
    const key = prefix ? `${prefix}.${k}` : k;
    if (typeof v === 'object' && v !== null && !Array.isArray(v))
      Object.assign(out, flattenResults(v as Record<string, unknown>, key));
    else if (typeof v === 'number' || typeof v === 'boolean' || v === null) out[key] = v;
  }
  return out;
}

const show = (v: Figure | undefined, unit = '') => (typeof v === 'number' ? `${v}${unit}` : 'n/a');

/** The issue's targets, met or not by the product as shipped. */
export function targetsOf(f: Record<string, Figure>): Target[] {
  const num = (k: string) => (typeof f[k] === 'number' ? (f[k] as number) : undefined);
  const ok = (v: number | undefined, test: (x: number) => boolean) =>
    v !== undefined && Number.isFinite(v) && test(v);
  const ratio = num('scan.ratioToBound');
  const speed = num('scan.speedupVsSequential');
  const share = num('throttle.shareOfCap');
  const lost = num('throttle.lost');
  const rss = num('memory.peakRssMB');
  const rss256 = num('memory.cap256.peakRssMB');
  const overTarget = num('objects.inventory.requestsOverTarget');
  const reduction = num('objects.requestReduction');
  const workerRss = num('objects.fanOut.peakRssMB');
  const cli = num('cli.policyValidateVsBareNode');
  const orgRss = num('org.aggregatorPeakRssMB');
  const loads = Object.keys(f).filter((k) => /^load\.[^.]+\.vsBareNode$/.test(k));
  const worstLoad =
    loads.length > 0 ? Math.max(...loads.map((k) => num(k) ?? Number.POSITIVE_INFINITY)) : undefined;
  return [
    {
      name: 'scan.ratioToBound',
      met: ok(ratio, (v) => v <= 1.25),
      measured: ratio !== undefined,
      line: `full audit wall / bound <= 1.25: ${show(ratio, 'x')}`,
    },
    {
      name: 'scan.speedupVsSequential',
      met: ok(speed, (v) => v >= 50),
      measured: speed !== undefined,
      line: `speed-up vs the sequential docs sample >= 50x: ${show(speed, 'x')}`,
    },
    {
      name: 'throttle.shareOfCap',
      met: ok(share, (v) => v >= 0.9) && lost === 0,
      measured: share !== undefined,
      line: `throughput under a QPS cap >= 0.9 Q with 0 lost: ${show(share)} Q, ${show(lost)} lost`,
    },
    {
      name: 'memory.peakRssMB',
      met: ok(rss, (v) => v <= 200),
      measured: rss !== undefined,
      line: `peak RSS of a 100,000-bucket audit with reports <= 200 MB, as deployed (s.yaml NODE_OPTIONS and MALLOC_*): ${show(rss, ' MB')}`,
    },
    {
      name: 'memory.cap256.peakRssMB',
      met: ok(rss256, (v) => v <= 256),
      measured: rss256 !== undefined,
      line: `the same with the heap cap sized for 256 MB (--max-old-space-size=192) <= 256 MB: ${show(rss256, ' MB')}`,
    },
    {
      name: 'objects.inventory.requestsOverTarget',
      met: ok(overTarget, (v) => v <= 1.02),
      measured: overTarget !== undefined,
      line: `inventory path requests / (unencrypted objects + inventory files) <= 1.02: ${show(overTarget)}`,
    },
    {
      name: 'objects.requestReduction',
      met: ok(reduction, (v) => v >= 20),
      measured: reduction !== undefined,
      line: `HeadObject-path requests / inventory-path requests on 1,000,000 objects >= 20x: ${show(reduction, 'x')}`,
    },
    {
      name: 'objects.fanOut.peakRssMB',
      met: ok(workerRss, (v) => v <= 384),
      measured: workerRss !== undefined,
      line: `peak RSS while W workers run (one process, so an upper bound of one worker) fits 512 MB with room (<= 384 MB): ${show(workerRss, ' MB')}`,
    },
    {
      name: 'org.aggregatorPeakRssMB',
      met: ok(orgRss, (v) => v <= 384),
      measured: orgRss !== undefined,
      line: `organization aggregator (100,000 findings) fits a 512 MB function with room (<= 384 MB): ${show(orgRss, ' MB')}`,
    },
    {
      name: 'cli.policyValidateVsBareNode',
      met: ok(cli, (v) => v <= 3),
      measured: cli !== undefined,
      line: `installed CLI \`policy validate\` wall time <= 3x a bare \`node -e ''\`: ${show(cli, 'x')}`,
    },
    {
      name: 'load.worstVsBareNode',
      met: ok(worstLoad, (v) => v <= 3),
      measured: worstLoad !== undefined,
      line: `every function bundle loads within 3x a bare \`node -e ''\`: worst ${show(worstLoad, 'x')} (${loads
        .map((k) => `${k.split('.')[1]} ${show(num(k), 'x')}`)
        .join(', ')})`,
    },
  ];
}
