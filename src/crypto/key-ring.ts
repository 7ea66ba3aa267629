import { ConfigError } from "../errors.ts";
import { fromBase64 } from "./encoding.ts";

export interface KeyRingEntry {
  version: string;
  key: CryptoKey;
}

/** Versioned AES-256-GCM keys: the first entry encrypts, every entry decrypts. */
export interface KeyRing {
  readonly current: KeyRingEntry;
  get(version: string): KeyRingEntry | undefined;
  readonly versions: readonly string[];
}

const VERSION = /^[A-Za-z0-9_-]{1,32}$/;

/**
 * Parses `ENCRYPTION_KEYS` (`v2:<base64 32 bytes>,v1:<base64 32 bytes>`). Every problem is a
 * `ConfigError` that names the entry but never echoes key material.
 */
export async function parseKeyRing(spec: string): Promise<KeyRing> {
  const entries = spec
    .split(",")
    .map((part) => part.trim())
    .filter(Boolean);
  if (entries.length === 0) throw new ConfigError("ENCRYPTION_KEYS is empty");
  const ring: KeyRingEntry[] = [];
  for (const [index, entry] of entries.entries()) {
    const separator = entry.indexOf(":");
    const version = separator > 0 ? entry.slice(0, separator) : "";
    if (!VERSION.test(version)) {
      throw new ConfigError(`ENCRYPTION_KEYS entry ${index + 1} needs the form <version>:<base64 key>`);
    }
    if (ring.some((k) => k.version === version)) {
      throw new ConfigError(`ENCRYPTION_KEYS lists version "${version}" twice`);
    }
    let raw: Uint8Array<ArrayBuffer>;
    try {
      raw = fromBase64(entry.slice(separator + 1));
    } catch {
      throw new ConfigError(`ENCRYPTION_KEYS version "${version}" is not valid base64`);
    }
    if (raw.length !== 32) {
      throw new ConfigError(
        `ENCRYPTION_KEYS version "${version}" must decode to 32 bytes, got ${raw.length}`,
      );
    }
    const key = await crypto.subtle.importKey("raw", raw, { name: "AES-GCM" }, false, ["encrypt", "decrypt"]);
    ring.push({ version, key });
  }
  const byVersion = new Map(ring.map((entry) => [entry.version, entry]));
  return {
    current: ring[0]!,
    get: (version) => byVersion.get(version),
    versions: ring.map((entry) => entry.version),
  };
}
