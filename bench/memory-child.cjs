/**
 * The memory case's child process (bench/cases/memory.ts): loads a function bundle the way Function
 * Compute loads it (CommonJS, `exports.handler`), invokes it once with a timer event and an FC-shaped
 * context, and samples its memory while it runs. The process holds nothing but the bundle, so its peak
 * RSS is the function's. Plain JavaScript on purpose: no loader (tsx) in this process.
 *
 * Usage: node [node flags] bench/memory-child.cjs BUNDLE
 * Environment: the function's own (endpoints, policy, report location, DRY_RUN), plus
 * BENCH_CONTEXT_CREDENTIALS (JSON {accessKeyId, accessKeySecret}) for the context.
 * Output: the function's log lines (pino JSON), then one line `BENCH_RESULT {json}`.
 */
const { writeSync } = require('node:fs');

const TIMER_EVENT = JSON.stringify({
  triggerTime: new Date().toISOString(),
  triggerName: 'scheduled-audit',
  payload: '',
});
const MB = 1024 * 1024;

async function main() {
  const bundle = process.argv[2];
  if (!bundle) throw new Error('usage: memory-child.cjs BUNDLE');
  const samples = [];
  const sample = () => {
    const m = process.memoryUsage();
    samples.push([Date.now(), m.rss / MB, m.heapUsed / MB, (m.external + m.arrayBuffers) / MB]);
  };
  const beforeLoad = process.memoryUsage().rss / MB;
  const { handler } = require(bundle);
  sample();
  const timer = setInterval(sample, 25);
  const started = Date.now();
  const cpu = process.cpuUsage();
  const context = {
    requestId: `bench-memory-${started}`,
    credentials: JSON.parse(process.env.BENCH_CONTEXT_CREDENTIALS ?? '{}'),
    function: { name: 'oss-sse-guard-bucket-auditor', timeout: 600 },
    region: 'cn-hangzhou',
    accountId: 'bench',
  };
  try {
    const summary = await handler(TIMER_EVENT, context);
    const used = process.cpuUsage(cpu);
    sample();
    result({
      ok: true,
      summary,
      beforeLoadRssMB: beforeLoad,
      peakRssMB: process.resourceUsage().maxRSS / 1024,
      wallMs: Date.now() - started,
      cpuMs: (used.user + used.system) / 1000,
      samples,
    });
  } catch (err) {
    result({ ok: false, error: String(err?.stack ?? err), samples });
  } finally {
    clearInterval(timer);
  }
}

function result(value) {
  // fs.writeSync: the function's logger writes to fd 1 too; this line must not interleave with a log line.
  writeSync(1, `BENCH_RESULT ${JSON.stringify(value)}\n`);
}

main().catch((err) => {
  result({ ok: false, error: String(err?.stack ?? err), samples: [] });
  process.exitCode = 1;
});
