/** Names of the buckets the benchmark seeds, shared by the emulator process and the cases. */

/** The most buckets one seed call may create (bounded work in the emulator process). */
export const MAX_SEED = 200_000;

/** The most objects one seed call may create (the objects case seeds 1,000,000). */
export const MAX_SEED_OBJECTS = 2_000_000;

/** `bkt-000042`: zero-padded so name order is index order (ListBuckets pages in name order). */
export function bucketName(prefix: string, i: number): string {
  return `${prefix}-${String(i).padStart(6, '0')}`;
}

/** `up/obj-000042.bin`: the key of object `i` the emulator process seeds for the upload-guard case. */
export function objectKey(prefix: string, i: number): string {
  return `${prefix}/obj-${String(i).padStart(6, '0')}.bin`;
}

/** The eight regions the scan cases spread buckets over. */
export const REGIONS = [
  'cn-hangzhou',
  'cn-shanghai',
  'cn-beijing',
  'cn-shenzhen',
  'cn-qingdao',
  'cn-zhangjiakou',
  'ap-southeast-1',
  'eu-central-1',
];
