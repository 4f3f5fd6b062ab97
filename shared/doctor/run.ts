/**
 * `doctor`: a read-only readiness check of the account the tool is pointed at, as a checklist. Nothing
 * here changes anything: it lists buckets, reads, and asks RAM questions with calls that cannot change a
 * thing (probes.ts). The result is `ready` when nothing the policy needs is missing.
 */
import type { KeyInspector } from '../audit/deps.js';
import type { Credentials } from '../cloud/credentials.js';
import type { BucketLocation, OssGateway } from '../cloud/oss.js';
import type { Settings } from '../config.js';
import { CloudError, describeError } from '../errors.js';
import type { AlertsConfig } from '../policy/alerts-schema.js';
import type { LoadedPolicy } from '../policy/load.js';
import type { PermissionContext } from '../ram/types.js';
import { alertChecks } from './alerts.js';
import { type EndpointAnswer, endpointFor, probeEndpoint, type Service } from './endpoints.js';
import { enabledFeatures, grantLine, neededActions } from './features.js';
import { keyRegions, namedKeys } from './keys.js';
import { probeAction } from './probes.js';
import type { Check, DoctorReport } from './types.js';

/** OSS refuses requests whose time is more than 15 minutes off (RequestTimeTooSkewed). */
export const MAX_SKEW_MS = 15 * 60 * 1000;

export interface DoctorInput {
  settings: Settings;
  credentials: Credentials;
  /** Where the credentials came from, in words (never the secret). */
  credentialSource: string;
  oss: OssGateway;
  kms: KeyInspector;
  policy: LoadedPolicy;
  /** The alerts configuration (the policy's section, else the environment's), if any. */
  alerts: AlertsConfig | undefined;
  /** Where the alert sinks' variables are looked up (default process.env). */
  env?: NodeJS.ProcessEnv;
  accountId?: string;
  now: () => Date;
  endpointTimeoutMs?: number;
}

/** `LTAI…x9Q`: enough to tell keys apart, never the whole id, never the secret. */
export function maskKeyId(id: string): string {
  if (id.length <= 8) return `${id.slice(0, 2)}…`;
  return `${id.slice(0, id.startsWith('STS.') ? 8 : 4)}…${id.slice(-3)}`;
}

export async function runDoctor(input: DoctorInput): Promise<DoctorReport> {
  const checks: Check[] = [];
  const add = (c: Check) => checks.push(c);
  const { settings, policy } = input;
  const home = settings.homeRegion;
  const ctx: PermissionContext = {
    policy: policy.policy,
    policyLocation: settings.policyRef?.startsWith('oss://') ? settings.policyRef : undefined,
    reportLocation: settings.reportLocation,
  };
  const needed = neededActions(ctx);
  const features = enabledFeatures(ctx, input.alerts !== undefined);
  const keys = namedKeys(policy.policy);
  const kmsNeeded = keys.length > 0 || needed.some((n) => n.action.startsWith('kms:'));
  const fcNeeded = needed.some((n) => n.action.startsWith('fc:'));

  const token = input.credentials.securityToken ? ' with an STS token' : '';
  add({
    section: 'credentials',
    status: 'ok',
    title: `AccessKey ${maskKeyId(input.credentials.accessKeyId)}${token}, from ${input.credentialSource}`,
  });
  add({ section: 'policy', status: 'info', title: `${policy.source}: features on: ${features.join(', ')}` });

  // Buckets, and so the regions to check. A denied or failed listing is reported with the audit's actions.
  let buckets: BucketLocation[] = [];
  let listingError: unknown;
  try {
    for await (const page of input.oss.listBuckets({ pageSize: 1000 })) buckets = buckets.concat(page);
  } catch (err) {
    listingError = err;
  }
  const regions = [...new Set([home, ...buckets.map((b) => b.region)])].sort((a, b) =>
    a === home ? -1 : b === home ? 1 : a.localeCompare(b),
  );
  add({
    section: 'account',
    status: 'info',
    title: listingError
      ? `buckets could not be listed: ${describeError(listingError)}`
      : `${buckets.length} buckets in ${regions.length} regions (${regions.join(', ')}); home region ${home}`,
  });

  // Endpoints: OSS and KMS in every region that matters, FC in the home region.
  const timeout = input.endpointTimeoutMs ?? 5_000;
  const ask = (service: Service, region: string) => {
    const override =
      service === 'OSS'
        ? settings.ossEndpoint
        : service === 'KMS'
          ? settings.kmsEndpoint
          : settings.fcEndpoint;
    const { url, host } = endpointFor(service, region, override, input.accountId);
    return probeEndpoint(url, host, timeout).then((answer) => ({ service, region, host, answer }));
  };
  const asks = [...regions.map((r) => ask('OSS', r)), ...regions.map((r) => ask('KMS', r)), ask('FC', home)];
  const answers = await Promise.all(asks);
  const reachable = new Map<string, boolean>();
  for (const { service, region, host, answer } of answers) {
    reachable.set(`${service}/${region}`, answer.ok);
    const needed = service === 'OSS' || (service === 'KMS' && kmsNeeded) || (service === 'FC' && fcNeeded);
    add({
      section: 'endpoints',
      status: answer.ok ? 'ok' : needed ? 'missing' : 'info',
      title: answer.ok
        ? `${service} ${region} answers at ${answer.url} (${host})`
        : `${service} ${region} endpoint ${answer.url} (${host}) did not answer: ${answer.problem}${needed ? '' : ' (not needed by this policy)'}`,
    });
  }

  addClock(
    add,
    answers.find((a) => a.service === 'OSS' && a.region === home)?.answer,
    input.now(),
    listingError,
  );

  // RAM actions, feature by feature.
  const deps = { oss: input.oss, kms: input.kms, buckets, homeRegion: home };
  const seen = new Set<string>();
  for (const n of needed) {
    const id = `${n.feature}/${n.action}/${n.resources.join(',')}`;
    if (seen.has(id)) continue;
    seen.add(id);
    const grant = grantLine(ctx, n.action, n.resources);
    if (n.action.startsWith('kms:') && !reachable.get(`KMS/${home}`)) {
      add({
        section: n.feature,
        status: 'missing',
        title: `${n.action}: not checked, the KMS endpoint of ${home} did not answer`,
        grant,
      });
      continue;
    }
    const r =
      n.action === 'oss:ListBuckets' && listingError
        ? fromListing(listingError)
        : await probeAction(deps, n.action, n.resources);
    if (r.kind === 'granted')
      add({ section: n.feature, status: 'ok', title: `${n.action} granted (asked on ${r.on})` });
    else if (r.kind === 'denied')
      add({
        section: n.feature,
        status: 'missing',
        title: `${n.action} is denied (AccessDenied on ${r.on}${r.requestId ? `, request id ${r.requestId}` : ''}): ${n.reason}`,
        grant,
      });
    else if (r.kind === 'unverified')
      add({
        section: n.feature,
        status: 'unverified',
        title: `${n.action}: ${r.why}; make sure the RAM policy has it`,
        grant,
      });
    else
      add({
        section: n.feature,
        status: 'missing',
        title: `${n.action} could not be checked: ${r.why}`,
        grant,
      });
  }

  // KMS keys the policy names.
  for (const k of keys) {
    for (const region of keyRegions(k, buckets, home)) {
      const subject = `KMS key "${k.ref}" (${k.from}) in ${region}`;
      if (!reachable.get(`KMS/${region}`)) {
        add({
          section: 'keys',
          status: 'missing',
          title: `${subject}: not checked, the KMS endpoint did not answer`,
        });
        continue;
      }
      try {
        const info = await input.kms.describeKey(k.ref, region);
        const problems = [
          ...(info.state === 'Enabled' ? [] : [`is ${info.state}; expected Enabled`]),
          ...(info.region === region ? [] : [`is in ${info.region}; expected ${region}`]),
        ];
        add({
          section: 'keys',
          status: problems.length === 0 ? 'ok' : 'missing',
          title: `${subject}: ${problems.length === 0 ? `found (${info.keyId}), Enabled, in ${region}` : problems.join(', ')}`,
        });
      } catch (err) {
        const code = err instanceof CloudError ? err.code : '';
        const denied =
          code === 'Forbidden.NoPermission' || code === 'Forbidden.RAM' || code === 'AccessDenied';
        add({
          section: 'keys',
          status: 'missing',
          title: `${subject}: ${code === 'Forbidden.KeyNotFound' || code === 'Forbidden.AliasNotFound' ? 'not found in this region' : denied ? 'kms:DescribeKey is denied' : describeError(err)}`,
          ...(denied
            ? { grant: grantLine(ctx, 'kms:DescribeKey', ['acs:kms:*:*:alias/*', 'acs:kms:*:*:key/*']) }
            : {}),
        });
      }
    }
  }
  for (const c of alertChecks(input.alerts, input.env ?? process.env)) add(c);
  return { checks, ready: !checks.some((c) => c.status === 'missing') };
}

function fromListing(err: unknown) {
  if (err instanceof CloudError && err.code === 'AccessDenied') {
    return {
      kind: 'denied' as const,
      on: 'the account',
      ...(err.requestId ? { requestId: err.requestId } : {}),
    };
  }
  return { kind: 'failed' as const, why: describeError(err) };
}

function addClock(
  add: (c: Check) => void,
  home: EndpointAnswer | undefined,
  now: Date,
  listing: unknown,
): void {
  const skewed = listing instanceof CloudError && listing.code === 'RequestTimeTooSkewed';
  if (!home?.date) {
    add({
      section: 'clock',
      status: skewed ? 'missing' : 'unverified',
      title: skewed
        ? 'OSS refused the request: RequestTimeTooSkewed (this clock is more than 15 minutes off)'
        : 'the service time is unknown (no Date header from OSS)',
    });
    return;
  }
  const skew = now.getTime() - home.date.getTime();
  const minutes = Math.abs(skew) / 60_000;
  const direction = skew > 0 ? 'ahead of' : 'behind';
  const off = Math.abs(skew) > MAX_SKEW_MS || skewed;
  add({
    section: 'clock',
    status: off ? 'missing' : 'ok',
    title: `this clock is ${minutes.toFixed(1)} min ${direction} OSS${off ? '; OSS refuses requests more than 15 minutes off (RequestTimeTooSkewed): set the clock (NTP)' : ' (OSS allows 15)'}`,
  });
}
