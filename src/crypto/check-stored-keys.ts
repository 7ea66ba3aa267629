import { sql } from "drizzle-orm";
import { decryptCredentials } from "../connections/credential-cipher.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { ConfigError, CryptoError } from "../errors.ts";
import type { KeyRing } from "./key-ring.ts";

interface CanaryRow {
  id: string;
  tenant_id: string;
  provider: string;
  key_version: string;
  credentials: Record<string, string>;
}

/**
 * Refuses to run on a database whose stored credentials the key ring cannot read: for every key
 * version in use, one row (the canary) must decrypt. A missing version, or a version whose key
 * changed (a regenerated development key after DATA_DIR was deleted), fails loudly at start,
 * naming the version, instead of making every credential silently undecryptable.
 */
export async function checkStoredKeys(db: Db, ring: KeyRing): Promise<void> {
  const canaries = rowsOf<CanaryRow>(
    await db.execute(sql`select distinct on (key_version) id, tenant_id, provider, key_version, credentials
      from integration_connections
      where key_version is not null and credentials is not null
      order by key_version, id`),
  );
  const problems: string[] = [];
  for (const row of canaries) {
    if (!ring.get(row.key_version)) {
      problems.push(`key version "${row.key_version}" is not in the key ring`);
      continue;
    }
    try {
      await decryptCredentials(ring, { tenantId: row.tenant_id, provider: row.provider }, row.credentials);
    } catch (err) {
      if (!(err instanceof CryptoError)) throw err;
      problems.push(
        `key version "${row.key_version}" in the ring is not the key these credentials were encrypted with`,
      );
    }
  }
  if (problems.length > 0) {
    throw new ConfigError(
      `Stored credentials cannot be decrypted: ${problems.join("; ")}. Restore the key (ENCRYPTION_KEYS, or the development key file DATA_DIR/dev-encryption-key) that encrypted them`,
      { context: { versions: canaries.map((r) => r.key_version) } },
    );
  }
}
