/**
 * The scan as the OSS documentation samples do it: ali-oss directly, ListBuckets, then one
 * `getBucketEncryption` after another, a 404 `NoSuchServerSideEncryptionRule` meaning "none". ali-oss is
 * imported here, outside the gateway, on purpose: this is the baseline users write without the product.
 */
import OSS from 'ali-oss';
import type { EmulatorProcess } from '../emulator-process.js';

/** The part of ali-oss the sample uses (@types/ali-oss lacks getBucketEncryption). */
interface SampleClient {
  listBuckets(
    query: Record<string, string | number>,
    options: object,
  ): Promise<{
    buckets: Array<{ name: string; region: string }> | null;
    nextMarker?: string | null;
    isTruncated?: boolean;
  }>;
  getBucketEncryption(bucket: string): Promise<{ encryption?: { SSEAlgorithm?: string } }>;
}

function sampleClient(emu: EmulatorProcess, region: string): SampleClient {
  return new OSS({
    region: `oss-${region}`,
    accessKeyId: emu.endpoints.accessKeyId,
    accessKeySecret: emu.endpoints.accessKeySecret,
    endpoint: emu.endpoints.oss,
  }) as unknown as SampleClient;
}

/** Lists the buckets under `prefix`, then reads each one's encryption in turn. Returns how many had one. */
export async function sequentialScan(
  emu: EmulatorProcess,
  prefix: string,
): Promise<{ buckets: number; encrypted: number }> {
  const clients = new Map<string, SampleClient>();
  const clientFor = (region: string) => {
    let c = clients.get(region);
    if (!c) {
      c = sampleClient(emu, region);
      clients.set(region, c);
    }
    return c;
  };
  const buckets: Array<{ name: string; region: string }> = [];
  let marker: string | undefined;
  for (let page = 0; page < 1000; page += 1) {
    const res = await clientFor('cn-hangzhou').listBuckets(
      { prefix, 'max-keys': 1000, ...(marker ? { marker } : {}) },
      {},
    );
    buckets.push(...(res.buckets ?? []));
    marker = res.isTruncated && res.nextMarker ? res.nextMarker : undefined;
    if (!marker) break;
  }
  let encrypted = 0;
  for (const b of buckets) {
    const region = b.region.replace(/^oss-/, '');
    try {
      const res = await clientFor(region).getBucketEncryption(b.name);
      if (res.encryption?.SSEAlgorithm) encrypted += 1;
    } catch (err) {
      if ((err as { code?: string }).code !== 'NoSuchServerSideEncryptionRule') throw err;
    }
  }
  return { buckets: buckets.length, encrypted };
}
