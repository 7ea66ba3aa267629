/** NUL and unpaired surrogates: valid in JavaScript strings, refused by PostgreSQL's jsonb. */
const UNSTORABLE = /\0|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const clean = (text: string) => text.replace(UNSTORABLE, "\ufffd");

/**
 * A value as jsonb can store it: its JSON form (undefined fields dropped), with U+FFFD for every
 * character jsonb refuses in strings and keys, so an output or error holding one never keeps its
 * run from settling.
 */
export function jsonbSafe(value: unknown): unknown {
  if (value === undefined) return undefined;
  return JSON.parse(JSON.stringify(value), (_key, v: unknown) => {
    if (typeof v === "string") return clean(v);
    if (v === null || typeof v !== "object" || Array.isArray(v)) return v;
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [clean(k), x]));
  });
}
