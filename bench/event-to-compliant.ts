/**
 * Event-to-compliant time of the change-triggered audit against the emulators: a user deletes a bucket's
 * encryption rule (through the real SDK), the ActionTrail event of that call reaches the bucket watch, and
 * the watch reports how long after the change (the event's time) it saw the bucket compliant again.
 *
 * Every OSS and KMS request gets `latencyMs` added by the emulators' fault injection, so the figure is
 * dominated by the watch's own round trips (read, apply, read back). EventBridge and Function Compute
 * delivery are not part of it. The event carries the change time in milliseconds; real ActionTrail event
 * times are whole seconds, so in the cloud the reported figure is only as fine as that.
 */

import { startEmulators } from '../emulator/index.js';
import { createLogger } from '../shared/log.js';
import { policyFromText } from '../shared/policy/load.js';
import { buildRuntime } from '../shared/runtime.js';
import { watchEvents } from '../shared/watch/watch.js';
import { apiCall, payload } from '../test/fixtures/eventbridge/builders.js';

const POLICY = 'version: 1\ndefaults: { sse: { algorithm: AES256 }, remediate: true }\n';

/** One change, one event, one fix: returns the event-to-compliant time the watch reports, in ms. */
export async function measureEventToCompliant(latencyMs: number): Promise<{ ms: number }> {
  const emu = await startEmulators({ seed: 'empty' });
  try {
    const logger = createLogger({ level: 'silent' });
    const runtime = buildRuntime(
      {
        ossEndpoint: emu.oss.url,
        kmsEndpoint: emu.kms.url,
        dryRun: false,
        ossSignatureV4: false,
        homeRegion: 'cn-hangzhou',
      },
      emu.credentials,
      logger,
    );
    const bucket = { name: 'bench-watch', region: 'cn-hangzhou' };
    emu.oss.state.createBucket(bucket.name, bucket.region, { encryption: { algorithm: 'AES256' } });
    emu.oss.faults.set('*', { latencyMs });
    emu.kms.faults.set('*', { latencyMs });

    // The user's change, then the event ActionTrail records for it (stamped when the call returned).
    await runtime.oss.deleteBucketEncryption(bucket);
    const event = apiCall({
      operation: 'DeleteBucketEncryption',
      bucket: bucket.name,
      region: bucket.region,
      accountId: emu.accountId,
      time: new Date(),
    });
    const summary = await watchEvents(runtime, {
      policy: policyFromText(POLICY, 'bench'),
      events: payload(event),
      accountId: emu.accountId,
      dryRun: false,
    });
    const result = summary.results[0];
    if (result?.status !== 'remediated' || result.eventToCompliantMs === undefined) {
      throw new Error(
        `bench event-to-compliant: expected a remediated bucket, got ${JSON.stringify(result)}`,
      );
    }
    return { ms: result.eventToCompliantMs };
  } finally {
    await emu.close();
  }
}
