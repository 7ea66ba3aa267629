import { toBase64Url, utf8 } from "./encoding.ts";

/** A PKCE pair (RFC 7636): a 64-character random verifier and its S256 challenge. */
export async function createPkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = toBase64Url(crypto.getRandomValues(new Uint8Array(48)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", utf8(verifier)));
  return { verifier, challenge: toBase64Url(digest) };
}
