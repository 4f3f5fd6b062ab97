/**
 * Keeping alert secrets out of what is recorded: a URL's query string (DingTalk's `access_token`, a
 * signature) and token-like path segments are masked; known secret values are replaced wherever they occur.
 */

export const REDACTED = '[redacted]';

/**
 * A URL safe to record: scheme, host, port and path, with the query string, any `user:password@` and
 * path segments that look like tokens (24+ letters, digits, `-` or `_`) replaced by `[redacted]`.
 * Text that is not a URL is redacted whole.
 */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return REDACTED;
  }
  const path = url.pathname
    .split('/')
    .map((seg) => (/^[A-Za-z0-9_-]{24,}$/.test(seg) ? REDACTED : seg))
    .join('/');
  return `${url.protocol}//${url.host}${path}${url.search ? `?${REDACTED}` : ''}`;
}

/** A function that replaces every occurrence of the given values (and their URL-encoded forms) in a text. */
export function scrubber(values: ReadonlyArray<string | undefined>): (text: string) => string {
  const needles = new Set<string>();
  for (const v of values) {
    // Very short values would mask ordinary words; secrets and tokens are never that short.
    if (!v || v.length < 4) continue;
    needles.add(v);
    needles.add(encodeURIComponent(v));
  }
  const list = [...needles].sort((a, b) => b.length - a.length);
  return (text) => list.reduce((acc, n) => acc.split(n).join(REDACTED), text);
}

/**
 * The parts of a URL that are secret-ish: its query string, each query value and token-like path segment,
 * and the whole URL when it holds any of those (a plain URL is not a secret: it is what records show).
 */
export function urlSecrets(raw: string): string[] {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return [raw];
  }
  const tokens = url.pathname.split('/').filter((seg) => /^[A-Za-z0-9_-]{24,}$/.test(seg));
  const values = [url.search.slice(1), ...url.searchParams.values(), ...tokens].filter((v) => v !== '');
  return values.length > 0 ? [raw, url.href, ...values] : [];
}
