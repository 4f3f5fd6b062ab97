/**
 * The OSS answers the gateway reads itself, and the one body it writes: small, flat XML. Pure (no SDK):
 * values become our types, and strings kept for the whole run get storage of their own.
 */
import { XMLParser } from 'fast-xml-parser';
import type { SseConfig } from '../model.js';

/**
 * Small, flat OSS answers (GetBucketEncryption, errors): values kept as text, entities decoded. `jPath:
 * false` hands the parser's default callbacks (which ignore it) the path matcher instead of a path
 * string built for every element and text node: the same result, about a tenth fewer instructions.
 */
const xmlParser = new XMLParser({
  parseTagValue: false,
  ignoreDeclaration: true,
  ignoreAttributes: true,
  jPath: false,
});

/** The child elements of an answer's root element, as text (missing elements are undefined). */
export function rootFields(xml: string): Record<string, unknown> {
  const doc = xml.trim() === '' ? {} : (xmlParser.parse(xml) as Record<string, unknown>);
  const root = Object.values(doc)[0];
  return root && typeof root === 'object' ? (root as Record<string, unknown>) : {};
}

/** The value when it is a string. */
export const text = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

/**
 * A string with storage of its own. A value the XML parser cut out of a response (13 characters or more)
 * is a V8 slice of the whole response text: one bucket name kept for the run would keep its whole
 * ListBuckets page (~350 KB per 1,000 buckets) alive, 35 MB at 100,000 buckets.
 */
export function ownCopy(s: string): string {
  return Buffer.from(s, 'utf8').toString('utf8');
}

/** The algorithm names as literals: one shared string each, not one per bucket read. */
const ALGORITHMS = { AES256: 'AES256', KMS: 'KMS', SM4: 'SM4' } as const;

function xmlEscape(s: string): string {
  return s.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The PutBucketEncryption body (OSS API reference "PutBucketEncryption"). */
export function encryptionXml(cfg: SseConfig): string {
  const parts = [`<SSEAlgorithm>${cfg.algorithm}</SSEAlgorithm>`];
  if (cfg.kmsDataEncryption) parts.push(`<KMSDataEncryption>${cfg.kmsDataEncryption}</KMSDataEncryption>`);
  if (cfg.kmsKeyId) parts.push(`<KMSMasterKeyID>${xmlEscape(cfg.kmsKeyId)}</KMSMasterKeyID>`);
  return `<?xml version="1.0" encoding="UTF-8"?>\n<ServerSideEncryptionRule><ApplyServerSideEncryptionByDefault>${parts.join('')}</ApplyServerSideEncryptionByDefault></ServerSideEncryptionRule>`;
}

/** Reads a parsed `ApplyServerSideEncryptionByDefault` (strings, '' for empty elements). */
export function parseEncryption(raw: unknown): SseConfig | null {
  if (!raw || typeof raw !== 'object') return null;
  const r = raw as Record<string, unknown>;
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
  const parsed = text(r.SSEAlgorithm);
  if (!parsed) return null;
  if (parsed !== 'AES256' && parsed !== 'KMS' && parsed !== 'SM4') {
    throw new Error(`unknown SSEAlgorithm "${parsed}"`);
  }
  const algorithm = ALGORITHMS[parsed];
  const key = text(r.KMSMasterKeyID);
  const data = text(r.KMSDataEncryption);
  return {
    algorithm,
    ...(algorithm === 'KMS' && key ? { kmsKeyId: ownCopy(key) } : {}),
    ...(algorithm === 'KMS' && data === 'SM4' ? { kmsDataEncryption: 'SM4' as const } : {}),
  };
}

/** How many distinct GetBucketEncryption answers a reader keeps (an account has a handful of rules). */
const ENCRYPTION_ANSWERS = 64;

/**
 * Reads GetBucketEncryption 200 bodies, each distinct text parsed once. The answer holds the rule alone
 * (no bucket name, no request id: OSS API reference "GetBucketEncryption"), so across an account's
 * buckets it takes a few texts, and parsing each one again was a tenth of the audit's CPU per bucket.
 * Every call gets a configuration object of its own; a body that does not parse (an unknown algorithm)
 * is not kept and throws each time. At most `limit` texts are kept, the oldest dropped first.
 */
export function encryptionReader(limit = ENCRYPTION_ANSWERS): (xml: string) => SseConfig | null {
  const known = new Map<string, SseConfig | null>();
  return (xml) => {
    let cfg = known.get(xml);
    if (cfg === undefined) {
      cfg = parseEncryption(rootFields(xml).ApplyServerSideEncryptionByDefault);
      if (known.size >= limit) known.delete(known.keys().next().value as string);
      known.set(xml, cfg);
    }
    return cfg === null ? null : { ...cfg };
  };
}
