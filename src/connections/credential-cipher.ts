import { decryptSecret, encryptSecret } from "../crypto/envelope.ts";
import type { KeyRing } from "../crypto/key-ring.ts";

export type CredentialFields = Record<string, string>;

interface Owner {
  tenantId: string;
  provider: string;
}

/** Encrypts each credential field bound to `tenantId:provider:field`. */
export async function encryptCredentials(
  ring: KeyRing,
  owner: Owner,
  fields: CredentialFields,
): Promise<{ credentials: CredentialFields; keyVersion: string }> {
  const entries = await Promise.all(
    Object.entries(fields).map(async ([field, value]) => [
      field,
      await encryptSecret(ring, value, { ...owner, field }),
    ]),
  );
  return { credentials: Object.fromEntries(entries), keyVersion: ring.current.version };
}

export async function decryptCredentials(
  ring: KeyRing,
  owner: Owner,
  credentials: CredentialFields,
): Promise<CredentialFields> {
  const entries = await Promise.all(
    Object.entries(credentials).map(async ([field, value]) => [
      field,
      await decryptSecret(ring, value, { ...owner, field }),
    ]),
  );
  return Object.fromEntries(entries);
}
