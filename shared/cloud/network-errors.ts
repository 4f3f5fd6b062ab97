/**
 * One readable sentence for a failure that never reached the service: DNS, refused or reset connections,
 * TLS, timeouts. Node and the SDKs report these with codes (`ENOTFOUND`, `ECONNREFUSED`,
 * `CERT_HAS_EXPIRED`...) buried under their own internals (ali-oss appends its agent status); this keeps
 * the code and says what to check. The SDK's own message goes to the debug log only.
 */

export interface NetworkProblem {
  /** `dns`, `refused`, `reset`, `tls`, `timeout` or `network`. */
  kind: 'dns' | 'refused' | 'reset' | 'tls' | 'timeout' | 'network';
  /** The Node or SDK code when there is one (`ECONNREFUSED`). */
  code?: string;
  /** What happened and what to check, without the endpoint or the operation (the caller adds those). */
  sentence: string;
}

const TLS = /^(CERT_|UNABLE_TO_|DEPTH_ZERO|SELF_SIGNED|ERR_TLS_|ERR_SSL_|HOSTNAME_MISMATCH|ERR_OSSL)/;

/** The first Node error code found on the error or its causes (ali-oss and undici wrap the socket's). */
function codeOf(err: unknown): string | undefined {
  let cur: unknown = err;
  for (let depth = 0; depth < 5 && cur && typeof cur === 'object'; depth += 1) {
    const c = cur as { code?: unknown; cause?: unknown; errno?: unknown };
    if (typeof c.code === 'string' && /^[A-Z_]+$/.test(c.code)) return c.code;
    cur = c.cause;
  }
  return undefined;
}

/** A network-level failure described, or undefined when `err` is an answer from the service. */
export function describeNetworkError(err: unknown): NetworkProblem | undefined {
  const code = codeOf(err);
  const e = (err ?? {}) as { name?: string; message?: string; status?: number };
  const text = `${e.name ?? ''} ${e.message ?? ''}`;
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || /getaddrinfo|ENOTFOUND/.test(text)) {
    return {
      kind: 'dns',
      code: code ?? 'ENOTFOUND',
      sentence:
        'the host name does not resolve (DNS); check the region id and the endpoint, and the DNS or proxy settings of this machine',
    };
  }
  if (code === 'ECONNREFUSED' || /ECONNREFUSED/.test(text)) {
    return {
      kind: 'refused',
      code: 'ECONNREFUSED',
      sentence:
        'the connection was refused; check the endpoint URL and port, and that nothing blocks outbound connections',
    };
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || /ECONNRESET|socket hang up/.test(text)) {
    return {
      kind: 'reset',
      code: code ?? 'ECONNRESET',
      sentence:
        'the connection was closed before an answer; check proxies and firewalls between this machine and the endpoint',
    };
  }
  if ((code && TLS.test(code)) || /certificate|TLS|SSL/i.test(text)) {
    return {
      kind: 'tls',
      ...(code ? { code } : {}),
      sentence:
        'the TLS handshake failed; check the system clock, a TLS-intercepting proxy, and the CA certificates (NODE_EXTRA_CA_CERTS)',
    };
  }
  if (
    code === 'ETIMEDOUT' ||
    code === 'ESOCKETTIMEDOUT' ||
    code === 'UND_ERR_CONNECT_TIMEOUT' ||
    /Timeout/i.test(text) ||
    e.status === -2
  ) {
    return {
      kind: 'timeout',
      ...(code ? { code } : {}),
      sentence:
        'no answer in time; check network access to the endpoint (VPC, proxy, firewall) or raise the timeout',
    };
  }
  if (code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL' || e.status === -1) {
    return {
      kind: 'network',
      ...(code ? { code } : {}),
      sentence: 'the endpoint cannot be reached; check the network route, VPC endpoints and proxy settings',
    };
  }
  return undefined;
}
