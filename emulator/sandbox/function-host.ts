/**
 * Runs a deployed function's bundle as Function Compute would: loaded from its code folder (`require` of
 * `<code>/index.js`, CommonJS, `index.handler`), in an instance of its own with its own environment
 * variables (a worker thread: its `process.env` is the function's, not the sandbox's), and a heap cap
 * taken from the function's memory size. The FC emulator's runner (emulator/fc/runner.ts) calls the
 * handler this returns, so timeouts, async retries and error reporting are the emulator's.
 *
 * The function's log lines (pino JSON on stdout) are parsed and handed to `onLog`.
 */
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import type { FcContext, FcHandler } from '../../shared/cloud/fc-context.js';

export interface FunctionLogLine {
  fn: string;
  line: Record<string, unknown>;
}

export interface HostedFunction {
  handler: FcHandler;
  close(): Promise<void>;
}

// Runs inside the instance (CommonJS, as the Node.js 20 runtime loads the bundle).
const INSTANCE = `
const { parentPort, workerData } = require('node:worker_threads');
// The platform collects what the function writes to stdout and stderr; pino writes to fd 1 directly
// (sonic-boom), which in a worker thread would bypass the instance's stdout: send it there instead.
const fs = require('node:fs');
const writeSync = fs.writeSync;
fs.writeSync = function (fd, data, ...rest) {
  if (fd === 1 || fd === 2) {
    const stream = fd === 1 ? process.stdout : process.stderr;
    stream.write(typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength));
    return typeof data === 'string' ? Buffer.byteLength(data) : data.byteLength;
  }
  return writeSync.call(fs, fd, data, ...rest);
};
const mod = require(workerData.file);
const handler = mod[workerData.exportName];
// The end of an invocation's output: the parent settles the invocation once it has read this line and
// the reply, so every log line the invocation wrote is in before its caller sees the result.
const end = (id) => process.stdout.write('#oss-sse-guard-sandbox-end ' + id + '\\n');
parentPort.on('message', async ({ id, event, context }) => {
  try {
    if (typeof handler !== 'function') throw new Error('handler "' + workerData.exportName + '" is not exported by ' + workerData.file);
    const result = await handler(Buffer.from(event), context);
    end(id);
    parentPort.postMessage({ id, ok: true, result: Buffer.isBuffer(result) ? { __buffer: result.toString('base64') } : result });
  } catch (e) {
    end(id);
    parentPort.postMessage({ id, ok: false, error: { message: String((e && e.message) || e), name: (e && e.name) || 'Error' } });
  }
});
`;

interface Reply {
  id: number;
  ok: boolean;
  result?: unknown;
  error?: { message: string; name: string };
}

/**
 * Starts one instance of the function in `codeDir` with `env`. `handler` is `<file>.<export>` as in
 * s.yaml (`index.handler`).
 */
export function hostFunction(opts: {
  name: string;
  codeDir: string;
  handler: string;
  env: Record<string, string>;
  memorySize: number;
  onLog?: (line: FunctionLogLine) => void;
}): HostedFunction {
  const dot = opts.handler.lastIndexOf('.');
  const file = join(opts.codeDir, `${opts.handler.slice(0, dot)}.js`);
  if (!existsSync(file)) throw new Error(`function ${opts.name}: no ${file} (run npm run build)`);
  // The bundle is CommonJS: a code folder inside a `"type": "module"` package must say so, as the
  // deployed zip (which has no parent package.json) implicitly does.
  const pkg = join(opts.codeDir, 'package.json');
  if (!existsSync(pkg)) writeFileSync(pkg, '{"type":"commonjs"}\n');
  const worker = new Worker(INSTANCE, {
    eval: true,
    env: opts.env,
    stdout: true,
    stderr: true,
    workerData: { file, exportName: opts.handler.slice(dot + 1) },
    resourceLimits: { maxOldGenerationSizeMb: Math.max(64, Math.floor(opts.memorySize * 0.75)) },
  });
  worker.unref();
  const pending = new Map<
    number,
    { resolve: (v: unknown) => void; reject: (e: Error) => void; reply?: Reply; flushed?: boolean }
  >();
  let buffered = '';
  const onData = (chunk: Buffer) => {
    buffered += chunk.toString('utf8');
    let nl = buffered.indexOf('\n');
    while (nl >= 0) {
      const text = buffered.slice(0, nl);
      buffered = buffered.slice(nl + 1);
      const ended = /^#oss-sse-guard-sandbox-end (\d+)$/.exec(text);
      if (ended) {
        const p = pending.get(Number(ended[1]));
        if (p) {
          p.flushed = true;
          settle(Number(ended[1]));
        }
      } else if (text.trim()) {
        let line: Record<string, unknown>;
        try {
          line = JSON.parse(text) as Record<string, unknown>;
        } catch {
          line = { msg: text };
        }
        opts.onLog?.({ fn: opts.name, line });
      }
      nl = buffered.indexOf('\n');
    }
  };
  worker.stdout.on('data', onData);
  worker.stderr.on('data', onData);
  let next = 1;
  let dead: Error | undefined;
  /** Settles an invocation once both its reply and the end of its output have arrived. */
  function settle(id: number): void {
    const p = pending.get(id);
    const reply = p?.reply;
    if (!p || !reply || !p.flushed) return;
    pending.delete(id);
    if (reply.ok) {
      const r = reply.result as { __buffer?: string } | undefined;
      p.resolve(
        r && typeof r === 'object' && typeof r.__buffer === 'string' ? Buffer.from(r.__buffer, 'base64') : r,
      );
    } else {
      const err = new Error(reply.error?.message ?? 'function failed');
      err.name = reply.error?.name ?? 'Error';
      p.reject(err);
    }
  }
  worker.on('message', (reply: Reply) => {
    const p = pending.get(reply.id);
    if (!p) return;
    p.reply = reply;
    settle(reply.id);
  });
  const fail = (err: Error) => {
    dead = err;
    for (const p of pending.values()) p.reject(err);
    pending.clear();
  };
  worker.on('error', fail);
  worker.on('exit', (code) => fail(new Error(`function ${opts.name}: instance exited (code ${code})`)));
  const handler: FcHandler = (event: Buffer | string, context: FcContext) => {
    if (dead) return Promise.reject(dead);
    const id = next++;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      worker.postMessage({ id, event: Buffer.from(event), context: JSON.parse(JSON.stringify(context)) });
    });
  };
  return {
    handler,
    close: async () => {
      await worker.terminate();
    },
  };
}
