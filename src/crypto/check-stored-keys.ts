import { sql } from "drizzle-orm";
import { decryptCredentials } from "../connections/credential-cipher.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { ConfigError, CryptoError } from "../errors.ts";
import { decryptSecret, encryptSecret } from "./envelope.ts";
import type { KeyRing, KeyRingEntry } from "./key-ring.ts";

interface CanaryRow {
  id: string;
  tenant_id: string;
  provider: string;
  key_version: string;
  credentials: Record<string, string>;
}

const CANARY = "switchboard key canary";
const canaryBinding = (version: string) => ({ tenantId: "platform", provider: "key-canary", field: version });
const ringOf = (entry: KeyRingEntry): KeyRing => ({
  current: entry,
  get: (version) => (version === entry.version ? entry : undefined),
  versions: [entry.version],
});

async function opens(fn: () => Promise<unknown>): Promise<boolean> {
  try {
    await fn();
    return true;
  } catch (err) {
    if (!(err instanceof CryptoError)) throw err;
    return false;
  }
}

/**
 * Refuses to run on a database whose encrypted data the key ring cannot read, naming the key
 * version: a version in use (by a credential row or a stored key fingerprint) that the ring lacks,
 * or a version whose key changed (a regenerated development key after DATA_DIR was deleted). Each
 * version's fingerprint (`key_canaries`) is checked, and one credential row per version decrypts.
 * With `record` (start-up), versions of the ring without a fingerprint get one.
 */
export async function checkStoredKeys(
  db: Db,
  ring: KeyRing,
  options: { record?: boolean } = {},
): Promise<void> {
  const canaries = rowsOf<{ key_version: string; canary: string }>(
    await db.execute(sql`select key_version, canary from key_canaries order by key_version`),
  );
  const rows = rowsOf<CanaryRow>(
    await db.execute(sql`select distinct on (key_version) id, tenant_id, provider, key_version, credentials
      from integration_connections
      where key_version is not null and credentials is not null
      order by key_version, id`),
  );
  const problems = new Map<string, string>();
  const changed = (version: string) =>
    problems.set(version, `key version "${version}" in the ring is not the key this data was encrypted with`);
  for (const { key_version: version } of [...canaries, ...rows]) {
    if (!ring.get(version)) problems.set(version, `key version "${version}" is not in the key ring`);
  }
  for (const { key_version: version, canary } of canaries) {
    if (ring.get(version) && !(await opens(() => decryptSecret(ring, canary, canaryBinding(version))))) {
      changed(version);
    }
  }
  for (const row of rows) {
    if (!ring.get(row.key_version) || problems.has(row.key_version)) continue;
    const binding = { tenantId: row.tenant_id, provider: row.provider };
    if (!(await opens(() => decryptCredentials(ring, binding, row.credentials)))) changed(row.key_version);
  }
  if (problems.size > 0) {
    throw new ConfigError(
      `Stored credentials cannot be decrypted: ${[...problems.values()].join("; ")}. Restore the key (ENCRYPTION_KEYS, or the development key file DATA_DIR/dev-encryption-key) that encrypted them`,
      { context: { versions: [...problems.keys()] } },
    );
  }
  if (!options.record) return;
  const known = new Set(canaries.map((c) => c.key_version));
  for (const version of ring.versions.filter((v) => !known.has(v))) {
    const canary = await encryptSecret(ringOf(ring.get(version)!), CANARY, canaryBinding(version));
    await db.execute(
      sql`insert into key_canaries (key_version, canary) values (${version}, ${canary}) on conflict do nothing`,
    );
  }
}
