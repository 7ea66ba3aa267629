import { sql } from "drizzle-orm";
import type { Db } from "../db/types.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";

export interface SurveySyncStatus {
  tenantId: string;
  source: string;
  connectionStatus: string | null;
  lastRunAt: string | null;
  lastSuccessAt: string | null;
  /** Seconds since the last completed pass (null before the first): data is at most this stale. */
  lagSeconds: number | null;
  /** The watermark: every response edited before it is stored. */
  cursor: string | null;
  passInProgress: boolean;
  lastRunRows: number;
  rowsInserted: number;
  rowsUpdated: number;
  pagesFetched: number;
  responses: number;
  lastError: string | null;
}

const iso = (v: unknown) => (v === null || v === undefined ? null : new Date(v as string).toISOString());

/**
 * Sync status per tenant and source (last run, rows, lag). With a tenant id it runs under that
 * tenant's row-level security; without, it is the operator's cross-tenant view (named as such).
 */
export async function surveySyncStatus(db: Db, tenantId?: string): Promise<SurveySyncStatus[]> {
  const query = sql`
    select c.*, conn.status as connection_status,
      (select count(*) from survey_responses r where r.tenant_id = c.tenant_id) as responses,
      extract(epoch from (now() - c.last_success_at))::float8 as lag_seconds
    from sync_cursors c
    left join integration_connections conn on conn.tenant_id = c.tenant_id and conn.provider = 'fairing'
    ${tenantId ? sql`where c.tenant_id = ${tenantId}` : sql``}
    order by c.tenant_id, c.source`;
  const rows = rowsOf<Record<string, unknown>>(
    tenantId ? await withTenant(db, tenantId, (tx) => tx.execute(query)) : await db.execute(query),
  );
  return rows.map((r) => ({
    tenantId: r.tenant_id as string,
    source: r.source as string,
    connectionStatus: (r.connection_status as string | null) ?? null,
    lastRunAt: iso(r.last_run_at),
    lastSuccessAt: iso(r.last_success_at),
    lagSeconds: r.lag_seconds === null ? null : Math.round(Number(r.lag_seconds)),
    cursor: iso(r.cursor),
    passInProgress: r.pass_started_at !== null,
    lastRunRows: Number(r.last_run_rows),
    rowsInserted: Number(r.rows_inserted),
    rowsUpdated: Number(r.rows_updated),
    pagesFetched: Number(r.pages_fetched),
    responses: Number(r.responses),
    lastError: (r.last_error as string | null) ?? null,
  }));
}
