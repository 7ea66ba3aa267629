import { toHex, utf8 } from "./encoding.ts";

/**
 * Compares two strings in time that depends only on their lengths, never on where they differ.
 * Lengths are public (signature formats fix them), so an early length mismatch leaks nothing.
 */
export function timingSafeEqual(a: string, b: string): boolean {
  const left = utf8(a);
  const right = utf8(b);
  if (left.length !== right.length) return false;
  let diff = 0;
  for (let i = 0; i < left.length; i++) diff |= (left[i] ?? 0) ^ (right[i] ?? 0);
  return diff === 0;
}

const importKey = (raw: Uint8Array<ArrayBuffer>) =>
  crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);

/** Imported keys of string secrets, reused across calls (webhook secrets are few and hot). */
const keyCache = new Map<string, Promise<CryptoKey>>();
const KEY_CACHE_LIMIT = 256;

function hmacKey(secret: string | Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  if (typeof secret !== "string") return importKey(secret);
  let key = keyCache.get(secret);
  if (!key) {
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value!);
    key = importKey(utf8(secret));
    keyCache.set(secret, key);
  }
  return key;
}

/** Message parts are concatenated as bytes: strings as UTF-8, byte arrays exactly as received. */
export type MessagePart = string | Uint8Array;

function concat(parts: MessagePart | MessagePart[]): Uint8Array<ArrayBuffer> {
  const list = (Array.isArray(parts) ? parts : [parts]).map((p) => (typeof p === "string" ? utf8(p) : p));
  const out = new Uint8Array(list.reduce((n, p) => n + p.byteLength, 0));
  let offset = 0;
  for (const part of list) {
    out.set(part, offset);
    offset += part.byteLength;
  }
  return out;
}

export async function hmacSha256(
  secret: string | Uint8Array<ArrayBuffer>,
  message: MessagePart | MessagePart[],
): Promise<Uint8Array> {
  const key = await hmacKey(secret);
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, concat(message)));
}

export async function hmacSha256Hex(
  secret: string | Uint8Array<ArrayBuffer>,
  message: MessagePart | MessagePart[],
): Promise<string> {
  return toHex(await hmacSha256(secret, message));
}

export async function sha256Hex(data: string | Uint8Array<ArrayBuffer>): Promise<string> {
  const bytes = typeof data === "string" ? utf8(data) : data;
  return toHex(new Uint8Array(await crypto.subtle.digest("SHA-256", bytes)));
}
