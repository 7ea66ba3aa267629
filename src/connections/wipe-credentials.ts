import { sql } from "drizzle-orm";
import type { Queryable } from "../db/types.ts";

/** Forgets every secret of a disconnected connection (tokens, pending tokens, lease). */
export async function wipeCredentials(db: Queryable, connectionId: string): Promise<void> {
  await db.execute(sql`update integration_connections set credentials = '{}'::jsonb, key_version = null,
      token_expires_at = null, refresh_due_at = null, pending_credentials = null, pending_token_expires_at = null,
      refresh_lease_owner = null, refresh_lease_until = null, updated_at = now()
    where id = ${connectionId}`);
}
