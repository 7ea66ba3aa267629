/**
 * Removes secrets from anything about to leave the process as a log line, error report or run
 * record: values under secret-looking keys, anything under `credentials`, and bearer/basic
 * authorization strings wherever they appear.
 */
const SECRET_KEY =
  /(token|secret|password|passphrase|api[-_]?key|authorization|cookie|credential|private[-_]?key|encryption[-_]?keys?|signature|client[-_]?assertion|(access|auth|authorization)[-_]?code|^key$)/i;
const HARMLESS_SUFFIX = /(_at|at|count|version|type|id|ids|url|uri|expires|expiresin)$/;
const AUTH_VALUE = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]{4,}/g;
export const REDACTED = "[redacted]";

export function isSecretKey(key: string): boolean {
  return SECRET_KEY.test(key) && !HARMLESS_SUFFIX.test(key.toLowerCase());
}

export function redactString(value: string): string {
  return value.replace(AUTH_VALUE, (_m, scheme: string) => `${scheme} ${REDACTED}`);
}

export function redact(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === "string") return redactString(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 8) return "[depth]";
  if (seen.has(value)) return "[circular]";
  seen.add(value);
  if (value instanceof Date) return value;
  if (value instanceof Error) {
    return {
      name: value.name,
      message: redactString(value.message),
      ...(redact({ ...value }, depth + 1, seen) as object),
    };
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1, seen));
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (isSecretKey(key) && inner !== null && inner !== undefined && typeof inner !== "boolean") {
      out[key] = REDACTED;
    } else {
      out[key] = redact(inner, depth + 1, seen);
    }
  }
  return out;
}
