/**
 * The benchmark's emulator process: the OSS, KMS and FC emulators (emulator/) plus a small control
 * channel on a second loopback port, so the auditor under test runs in another process and neither side's
 * CPU is counted as the other's. Its first stdout line is one JSON object:
 * `{"oss","kms","accessKeyId","accessKeySecret","control"}`.
 *
 * Control (JSON over HTTP, loopback only):
 * - `POST /seed {count, regions, prefix?}` creates `count` buckets spread over `regions` with a fixed mix
 *   of encryption states (see `encryptionFor`). Seed prefixes in name order: appends stay cheap.
 * - `POST /objects {bucket, region, count, prefix}` creates a bucket holding `count` small objects, every
 *   other one uploaded with SSE AES256 (body `object <i>`, so the caller can compute each ETag).
 * - `POST /faults {op, spec}` sets a fault (emulator/core/faults.ts); `POST /faults/clear` clears all.
 * - `GET /stats` answers this process's CPU time, peak RSS and the per-operation request counts.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FaultSpec } from '../emulator/core/faults.js';
import { startEmulators } from '../emulator/index.js';
import type { CreateBucketOptions } from '../emulator/oss/index.js';
import { bucketName, MAX_SEED, objectKey } from './seed-names.js';

/**
 * The encryption state of bucket `i`: a quarter each of none, AES256, KMS and SM4. With `cmk` (the
 * region's customer CMK), half of the KMS quarter names it, so the audit describes one key per region.
 */
export function encryptionFor(i: number, cmk?: string): CreateBucketOptions['encryption'] {
  switch (i % 4) {
    case 1:
      return { algorithm: 'AES256' };
    case 2:
      return cmk && i % 8 === 6 ? { algorithm: 'KMS', kmsMasterKeyId: cmk } : { algorithm: 'KMS' };
    case 3:
      return { algorithm: 'SM4' };
    default:
      return null;
  }
}

async function readJson(req: http.IncomingMessage): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > 1024 * 1024) throw new RangeError('control body larger than 1 MiB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  return text ? (JSON.parse(text) as Record<string, unknown>) : {};
}

async function main(): Promise<void> {
  const emu = await startEmulators({ seed: 'empty', faultSeed: 42 });

  const routes: Record<string, (body: Record<string, unknown>) => unknown> = {
    'POST /seed': (body) => {
      const count = Number(body.count);
      const regions = body.regions as string[];
      const prefix = typeof body.prefix === 'string' ? body.prefix : 'bkt';
      if (!Number.isInteger(count) || count < 0 || count > MAX_SEED) throw new RangeError('bad count');
      if (!Array.isArray(regions) || regions.length === 0) throw new RangeError('regions needed');
      const cmks = new Map<string, string>();
      const cmkOf = (region: string) => {
        let id = cmks.get(region);
        if (!id) {
          id = emu.kms.state.createKey({ region }).keyId;
          cmks.set(region, id);
        }
        return id;
      };
      for (let i = 0; i < count; i += 1) {
        const name = bucketName(prefix, i);
        const region = regions[i % regions.length] ?? 'cn-hangzhou';
        emu.oss.state.createBucket(name, region, {
          encryption: encryptionFor(i, body.cmk === true ? cmkOf(region) : undefined),
        });
      }
      return { created: count, total: emu.oss.state.bucketCount };
    },
    'POST /objects': (body) => {
      const count = Number(body.count);
      if (!Number.isInteger(count) || count < 0 || count > MAX_SEED) throw new RangeError('bad count');
      const bucket = String(body.bucket);
      emu.oss.state.createBucket(bucket, String(body.region ?? 'cn-hangzhou'));
      for (let i = 0; i < count; i += 1) {
        emu.oss.state.putObject(bucket, objectKey(String(body.prefix ?? 'up'), i), `object ${i}`, {
          sse: i % 2 === 0 ? { algorithm: 'AES256' } : null,
        });
      }
      return { created: count };
    },
    'POST /faults': (body) => {
      emu.oss.faults.set(String(body.op), body.spec as FaultSpec);
      return { ok: true };
    },
    'POST /faults/clear': () => {
      emu.oss.faults.clear();
      return { ok: true };
    },
    'GET /stats': () => {
      const cpu = process.cpuUsage();
      return {
        cpuUserMs: cpu.user / 1000,
        cpuSystemMs: cpu.system / 1000,
        maxRssMB: process.resourceUsage().maxRSS / 1024,
        counts: Object.fromEntries(emu.oss.faults.counts),
      };
    },
  };

  const control = http.createServer((req, res) => {
    const route = routes[`${req.method} ${(req.url ?? '/').split('?')[0]}`];
    readJson(req)
      .then((body) => {
        if (!route) throw new RangeError(`no route ${req.method} ${req.url}`);
        return route(body);
      })
      .then(
        (out) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(out)),
        (err: unknown) =>
          res
            .writeHead(400, { 'content-type': 'application/json' })
            .end(JSON.stringify({ error: String(err) })),
      );
  });
  await new Promise<void>((resolve) => control.listen(0, '127.0.0.1', resolve));
  const port = (control.address() as AddressInfo).port;

  process.stdout.write(
    `${JSON.stringify({
      oss: emu.oss.url,
      kms: emu.kms.url,
      accessKeyId: emu.credentials.accessKeyId,
      accessKeySecret: emu.credentials.accessKeySecret,
      control: `http://127.0.0.1:${port}`,
    })}\n`,
  );
  // Stop when told, or when the parent goes away (stdin closes): never outlive the benchmark.
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', resolve);
    process.once('SIGINT', resolve);
    process.stdin.on('end', resolve).on('close', resolve).resume();
  });
  control.close();
  await emu.close();
}

await main();
