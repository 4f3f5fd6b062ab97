/**
 * The id of a region's OSS service key: the OSS-managed CMK (reserved alias `alias/acs/oss`) that OSS
 * uses for SSE-KMS writes that name no key. Real OSS answers its id in
 * `x-oss-server-side-encryption-key-id` for such objects (aliyun-oss-python-sdk
 * `tests/test_server_side_encryotion.py`, `test_put_object_with_kms_default`: the key id is present).
 *
 * The real id is a UUID assigned by KMS when the service key is first used in a region; the emulator
 * derives it deterministically from the account and region, so the OSS emulator (which stamps it on
 * objects) and the KMS emulator (which answers DescribeKey for it) agree without sharing state.
 */
import { createHash } from 'node:crypto';

/** The reserved alias of the OSS service key (KMS "Aliases": `alias/acs/<service>`). */
export const OSS_SERVICE_KEY_ALIAS = 'alias/acs/oss';

/** Deterministic UUID-shaped id of the OSS service key of `accountId` in `region`. */
export function ossServiceKeyId(accountId: string, region: string): string {
  const hex = createHash('sha256').update(`oss-service-key\n${accountId}\n${region}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}
