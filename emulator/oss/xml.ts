/**
 * XML in and out of the OSS emulator, on fast-xml-parser. OSS bodies are plain elements (no attributes),
 * so documents are built from nested objects: arrays repeat an element, `''` gives an empty element.
 */
import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { errors, type OssError } from './errors.js';

const builder = new XMLBuilder({ format: false, suppressEmptyNode: false });
const parser = new XMLParser({ parseTagValue: false, ignoreDeclaration: true, trimValues: true });

/** A node of an outgoing document: text, a nested element map, or repeated elements. */
export type XmlNode = string | number | boolean | XmlElement | XmlNode[] | undefined;
export interface XmlElement {
  [name: string]: XmlNode;
}

const DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Serialises `{ root: body }` with the XML declaration OSS sends. Undefined children are left out. */
export function toXml(root: string, body: XmlElement | string): string {
  return DECLARATION + builder.build({ [root]: body });
}

/** Parses a request body; anything not well-formed is OSS's 400 MalformedXML. */
export function parseXml(body: Buffer | string): Record<string, unknown> {
  const text = body.toString();
  if (text.trim() === '' || XMLValidator.validate(text) !== true) throw errors.malformedXml();
  try {
    return parser.parse(text) as Record<string, unknown>;
  } catch (cause) {
    const err: OssError = errors.malformedXml();
    err.cause = cause;
    throw err;
  }
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** An element's child record, or undefined when absent or text. */
export function child(node: unknown, name: string): Record<string, unknown> | undefined {
  if (!isRecord(node)) return undefined;
  const c = node[name];
  return isRecord(c) ? c : undefined;
}

/** An element's text child, or undefined. */
export function text(node: unknown, name: string): string | undefined {
  if (!isRecord(node)) return undefined;
  const c = node[name];
  if (typeof c === 'string') return c;
  if (typeof c === 'number' || typeof c === 'boolean') return String(c);
  return undefined;
}

/** Children that may be one element or several, as a list. */
export function children(node: unknown, name: string): unknown[] {
  if (!isRecord(node)) return [];
  const c = node[name];
  if (c === undefined || c === '') return [];
  return Array.isArray(c) ? c : [c];
}

/** `<Tagging><TagSet><Tag><Key/><Value/></Tag>...` into a plain map. */
export function parseTagging(body: Buffer): Record<string, string> {
  const doc = parseXml(body);
  const tagging = child(doc, 'Tagging');
  if (!tagging) throw errors.malformedXml();
  const tags: Record<string, string> = {};
  for (const tag of children(child(tagging, 'TagSet'), 'Tag')) {
    const key = text(tag, 'Key');
    if (key === undefined || key === '') throw errors.malformedXml();
    tags[key] = text(tag, 'Value') ?? '';
  }
  return tags;
}

/** A tag map as `<Tagging>` (the GetBucketTagging / GetObjectTagging body). */
export function taggingXml(tags: Record<string, string>): string {
  const list = Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
  return toXml('Tagging', { TagSet: list.length > 0 ? { Tag: list } : '' });
}

/** ISO 8601 with milliseconds, as OSS writes `CreationDate` and `LastModified` in XML. */
export function isoDate(d: Date): string {
  return d.toISOString();
}
