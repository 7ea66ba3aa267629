import { CryptoError } from "../errors.ts";
import { fromBase64, fromUtf8, toBase64Url, utf8 } from "./encoding.ts";
import type { KeyRing } from "./key-ring.ts";

/**
 * Credential encryption at rest: AES-256-GCM, random 96-bit IV, associated data
 * `tenantId:provider:field` so a ciphertext copied to another row, field or tenant fails to
 * decrypt. Ciphertexts are self-describing: `sb1.<keyVersion>.<iv>.<ciphertext+tag>` (base64url).
 */
const SCHEME = "sb1";

export interface CredentialBinding {
  tenantId: string;
  provider: string;
  field: string;
}

export const associatedData = (b: CredentialBinding): string => `${b.tenantId}:${b.provider}:${b.field}`;

export async function encryptSecret(
  ring: KeyRing,
  plaintext: string,
  binding: CredentialBinding,
): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv, additionalData: utf8(associatedData(binding)) },
    ring.current.key,
    utf8(plaintext),
  );
  return [SCHEME, ring.current.version, toBase64Url(iv), toBase64Url(new Uint8Array(sealed))].join(".");
}

export function keyVersionOf(ciphertext: string): string {
  const parts = ciphertext.split(".");
  if (parts.length !== 4 || parts[0] !== SCHEME || !parts[1]) {
    throw new CryptoError("Not a Switchboard ciphertext");
  }
  return parts[1];
}

export async function decryptSecret(
  ring: KeyRing,
  ciphertext: string,
  binding: CredentialBinding,
): Promise<string> {
  const version = keyVersionOf(ciphertext);
  const entry = ring.get(version);
  if (!entry) {
    throw new CryptoError(`No key for version "${version}" in ENCRYPTION_KEYS`, { context: { version } });
  }
  const [, , ivText, sealedText] = ciphertext.split(".");
  try {
    const plain = await crypto.subtle.decrypt(
      { name: "AES-GCM", iv: fromBase64(ivText!), additionalData: utf8(associatedData(binding)) },
      entry.key,
      fromBase64(sealedText!),
    );
    return fromUtf8(new Uint8Array(plain));
  } catch {
    throw new CryptoError("Credential failed to decrypt (wrong key, wrong row or tampered)", {
      context: { version, provider: binding.provider, field: binding.field },
    });
  }
}
