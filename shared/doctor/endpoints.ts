/**
 * Does an endpoint answer, and what time does the service think it is? One unsigned GET per endpoint:
 * any HTTP answer (a 403 for the missing signature included) means the endpoint is reachable, and OSS's
 * `Date` header gives the clock skew (OSS refuses requests more than 15 minutes off: RequestTimeTooSkewed).
 * With an endpoint override (one URL for every region, as the emulators and proxies take) the `Host`
 * header names the region, as the SDKs send it.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { describeNetworkError } from '../cloud/network-errors.js';

export interface EndpointAnswer {
  url: string;
  ok: boolean;
  status?: number;
  /** The service's clock, from the `Date` header. */
  date?: Date;
  /** When not ok: one sentence (DNS, refused, TLS, timeout...). */
  problem?: string;
}

export type Service = 'OSS' | 'KMS' | 'FC';

/** The endpoint doctor asks for a service in a region: the override, or the public endpoint. */
export function endpointFor(
  service: Service,
  region: string,
  override: string | undefined,
  accountId?: string,
): { url: string; host: string } {
  const host =
    service === 'OSS'
      ? `oss-${region}.aliyuncs.com`
      : service === 'KMS'
        ? `kms.${region}.aliyuncs.com`
        : `${accountId ?? 'account'}.${region}.fc.aliyuncs.com`;
  return { url: override ?? `https://${host}`, host };
}

export function probeEndpoint(url: string, host: string, timeoutMs = 5_000): Promise<EndpointAnswer> {
  return new Promise((resolve) => {
    let target: URL;
    try {
      target = new URL(url);
    } catch {
      resolve({ url, ok: false, problem: 'is not a URL' });
      return;
    }
    const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = send(target, { method: 'GET', headers: { host }, timeout: timeoutMs }, (res) => {
      res.resume();
      const date = res.headers.date ? new Date(res.headers.date) : undefined;
      resolve({
        url,
        ok: true,
        status: res.statusCode,
        ...(date && !Number.isNaN(date.getTime()) ? { date } : {}),
      });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.on('error', (err) => {
      const problem = describeNetworkError(err);
      resolve({
        url,
        ok: false,
        problem: problem ? `${problem.sentence} (${problem.code ?? problem.kind})` : err.message,
      });
    });
    req.end();
  });
}
