import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";
import { refreshAppliedColumns } from "./refresh-applied-columns.ts";
import type { RenewedToken } from "./renew-claimed-token.ts";

export interface AppliedToken {
  id: string;
  tenant_id: string;
  provider: string;
  token_version: number;
  /** The status before the write (`error` rows are then handed to the status machine). */
  status: string;
}

/**
 * Cross-tenant: writes a batch of providers' answers in one statement, fenced by the lease
 * owner — a row whose lease another refresher took over is left alone and missing from the
 * result. Each answer's fields replace the row's (unchanged fields keep their ciphertext), the
 * token version is bumped, any recorded pending answer is cleared, the lease released and the
 * refresh-failure streak reset (as `refreshConnectionToken` does; the status itself is the
 * status machine's, `applyConnectionSignals`).
 */
export async function applyRefreshedTokens(
  db: Db,
  owner: string,
  tokens: readonly RenewedToken[],
): Promise<AppliedToken[]> {
  if (tokens.length === 0) return [];
  const batch = JSON.stringify(
    tokens.map((t) => ({
      id: t.id,
      credentials: t.credentials,
      key_version: t.keyVersion,
      expires_at: t.expiresAt,
      due_at: t.dueAt,
    })),
  );
  return rowsOf<AppliedToken>(
    await db.execute(sql`update integration_connections c set
        credentials = c.credentials || v.credentials,
        key_version = v.key_version,
        token_expires_at = v.expires_at,
        refresh_due_at = v.due_at,
        ${refreshAppliedColumns}
      from jsonb_to_recordset(${batch}::jsonb)
        as v(id uuid, credentials jsonb, key_version text, expires_at timestamptz, due_at timestamptz)
      where c.id = v.id and c.refresh_lease_owner = ${owner}
      returning c.id, c.tenant_id, c.provider, c.token_version, c.status`),
  );
}
