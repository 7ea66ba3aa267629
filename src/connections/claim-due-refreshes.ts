import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";

export interface ClaimedRefresh {
  id: string;
  tenant_id: string;
  provider: string;
  status: string;
  credentials: Record<string, string>;
  metadata: Record<string, unknown>;
  pending_credentials: Record<string, string> | null;
  pending_token_expires_at: Date | string | null;
}

/**
 * Cross-tenant: in one statement, leases up to `limit` connections of every tenant whose token
 * falls due within the horizon (earliest first, through the partial `refresh_due_at` index) and
 * returns what the refresh needs — the sealed credentials, any answer an interrupted refresh
 * recorded. Rows another refresher holds (an unexpired lease) or another transaction has locked
 * are skipped, so overlapping sweeps never claim one row twice.
 */
export async function claimDueRefreshes(
  db: Db,
  input: { owner: string; limit: number; horizonSeconds: number; leaseSeconds: number },
): Promise<ClaimedRefresh[]> {
  return rowsOf<ClaimedRefresh>(
    await db.execute(sql`update integration_connections c set
        refresh_lease_owner = ${input.owner},
        refresh_lease_until = now() + make_interval(secs => ${input.leaseSeconds}),
        refresh_attempted_at = now()
      where c.id in (
        select id from integration_connections
        where status in ('active', 'error')
          and refresh_due_at <= now() + make_interval(secs => ${input.horizonSeconds})
          and (refresh_lease_until is null or refresh_lease_until < now())
        order by refresh_due_at
        limit ${input.limit}
        for update skip locked)
      returning c.id, c.tenant_id, c.provider, c.status, c.credentials, c.metadata,
        c.pending_credentials, c.pending_token_expires_at`),
  );
}
