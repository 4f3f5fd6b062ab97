/**
 * EventBridge event patterns, as the bucket watch's triggers in s.yaml use them (EventBridge "Event
 * patterns"): every field of the pattern must match the event; a list matches when any of its entries
 * does; an object nests into the event's field of that name. List entries may be literal values (exact
 * match) or the documented matchers `{"prefix": s}`, `{"suffix": s}`, `{"anything-but": v | [v...]}` and
 * `{"exists": bool}`. Other matchers (numeric, cidr) are not modelled and never match (emulator/README.md).
 */

type Json = unknown;

function isObject(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function entryMatches(entry: Json, value: Json, present: boolean): boolean {
  if (!isObject(entry)) return present && JSON.stringify(entry) === JSON.stringify(value);
  if ('exists' in entry) return entry.exists === present;
  if (!present) return false;
  if (typeof entry.prefix === 'string') return typeof value === 'string' && value.startsWith(entry.prefix);
  if (typeof entry.suffix === 'string') return typeof value === 'string' && value.endsWith(entry.suffix);
  if ('anything-but' in entry) {
    const but = entry['anything-but'];
    const list = Array.isArray(but) ? but : [but];
    return !list.some((b) => JSON.stringify(b) === JSON.stringify(value));
  }
  return false;
}

function fieldMatches(pattern: Json, event: Record<string, Json>, name: string): boolean {
  const present = Object.hasOwn(event, name);
  const value = present ? event[name] : undefined;
  if (Array.isArray(pattern)) {
    // A list value in the event matches when any of its items matches any entry.
    const values = Array.isArray(value) ? value : [value];
    return pattern.some((entry) => values.some((v) => entryMatches(entry, v, present)));
  }
  if (isObject(pattern)) return isObject(value) && matchesPattern(pattern, value);
  return false;
}

/** Whether `event` matches the EventBridge event `pattern` (an object, as parsed from its JSON). */
export function matchesPattern(pattern: Record<string, Json>, event: Record<string, Json>): boolean {
  return Object.entries(pattern).every(([name, p]) => fieldMatches(p, event, name));
}
