import { sql } from "drizzle-orm";
import type { KeyRing } from "../crypto/key-ring.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { AppError } from "../errors.ts";
import { logger } from "../observability/logger.ts";
import { decryptCredentials, encryptCredentials } from "./credential-cipher.ts";

export interface RotationProgress {
  processed: number;
  total: number;
}

export interface RotationSummary {
  currentVersion: string;
  rotated: number;
  failed: number;
  batches: number;
}

interface StaleRow {
  id: string;
  tenant_id: string;
  provider: string;
  key_version: string;
  credentials: Record<string, string>;
}

/**
 * Re-encrypts credentials still under an old key version with the ring's current key, in
 * batches, while the system runs (a cross-tenant sweep). Each batch locks its rows with
 * `FOR UPDATE SKIP LOCKED` and is written with one statement, so concurrent writers (a token
 * refresh) are never overwritten and a second rotation run simply finds less to do.
 * Rows that fail to decrypt are skipped, reported and make the run fail at the end.
 */
export async function rotateCredentialKeys(
  db: Db,
  ring: KeyRing,
  options: { batchSize?: number; onProgress?: (progress: RotationProgress) => void | Promise<void> } = {},
): Promise<RotationSummary> {
  const batchSize = options.batchSize ?? 500;
  const current = ring.current.version;
  const [countRow] = rowsOf<{ total: number }>(
    await db.execute(sql`select count(*)::int as total from integration_connections
      where key_version is not null and key_version <> ${current}`),
  );
  const total = countRow?.total ?? 0;
  const failedIds: string[] = [];
  let rotated = 0;
  let batches = 0;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const rows = rowsOf<StaleRow>(
        await tx.execute(sql`select id, tenant_id, provider, key_version, credentials
          from integration_connections
          where key_version is not null and key_version <> ${current}
            and not (id = any(${`{${failedIds.join(",")}}`}::uuid[]))
          order by id limit ${batchSize} for update skip locked`),
      );
      if (rows.length === 0) return true;
      const updates: { id: string; credentials: Record<string, string> }[] = [];
      for (const row of rows) {
        const owner = { tenantId: row.tenant_id, provider: row.provider };
        try {
          const plain = await decryptCredentials(ring, owner, row.credentials);
          updates.push({
            id: row.id,
            credentials: (await encryptCredentials(ring, owner, plain)).credentials,
          });
        } catch (err) {
          failedIds.push(row.id);
          logger.error("credential rotation skipped a connection", { connectionId: row.id, err });
        }
      }
      if (updates.length > 0) {
        await tx.execute(sql`update integration_connections c
          set credentials = v.credentials, key_version = ${current}, updated_at = now()
          from jsonb_to_recordset(${JSON.stringify(updates)}::jsonb) as v(id uuid, credentials jsonb)
          where c.id = v.id`);
      }
      rotated += updates.length;
      return false;
    });
    if (done) break;
    batches++;
    await options.onProgress?.({ processed: rotated + failedIds.length, total });
  }
  // Rows already under the current version must decrypt too: a key that changed under the same
  // version (a regenerated development key) would otherwise go unnoticed.
  failedIds.push(...(await undecryptableCurrentRows(db, ring)));
  if (failedIds.length > 0) {
    throw new AppError("rotation_incomplete", `${failedIds.length} connection(s) could not be re-encrypted`, {
      retryable: false,
      context: { connectionIds: failedIds, rotated },
    });
  }
  return { currentVersion: current, rotated, failed: 0, batches };
}

/** Ids of rows under the ring's current version that do not decrypt with it (read-only, batched). */
async function undecryptableCurrentRows(db: Db, ring: KeyRing, batchSize = 500): Promise<string[]> {
  const failed: string[] = [];
  let after = "00000000-0000-0000-0000-000000000000";
  for (;;) {
    const rows = rowsOf<StaleRow>(
      await db.execute(sql`select id, tenant_id, provider, key_version, credentials
        from integration_connections
        where key_version = ${ring.current.version} and credentials is not null and id > ${after}::uuid
        order by id limit ${batchSize}`),
    );
    for (const row of rows) {
      try {
        await decryptCredentials(ring, { tenantId: row.tenant_id, provider: row.provider }, row.credentials);
      } catch (err) {
        failed.push(row.id);
        logger.error("a credential under the current key does not decrypt", { connectionId: row.id, err });
      }
    }
    if (rows.length < batchSize) return failed;
    after = rows[rows.length - 1]!.id;
  }
}
