import { sql } from "drizzle-orm";
import { type Db, rowsOf, type Tx } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import type { UpsertCounts } from "./upsert-survey-responses.ts";

/** A pass over the source, as stored: resumable at `resumeUrl` after a crash. */
export interface SyncPass {
  cursor: Date | null;
  startedAt: Date;
  passFrom: Date | null;
  resumeUrl: string | null;
  passPages: number;
  passRows: number;
  resumed: boolean;
}

interface CursorRow {
  cursor: Date | string | null;
  pass_from: Date | string | null;
  pass_started_at: Date | string | null;
  resume_url: string | null;
  pass_pages: number;
  pass_rows: number;
}

const asDate = (v: Date | string | null): Date | null => (v === null ? null : new Date(v));

/**
 * Starts a pass, or resumes the one a crashed run left: the lower bound is the watermark minus
 * `overlapMs` (late writes land inside it), or nothing for a full pass.
 */
export async function beginSyncPass(
  tx: Tx,
  key: { tenantId: string; source: string },
  options: { full: boolean; overlapMs: number; now: Date },
): Promise<SyncPass> {
  await tx.execute(sql`insert into sync_cursors (tenant_id, source) values (${key.tenantId}, ${key.source})
    on conflict (tenant_id, source) do nothing`);
  const [row] = rowsOf<CursorRow>(
    await tx.execute(sql`select cursor, pass_from, pass_started_at, resume_url, pass_pages, pass_rows
      from sync_cursors where tenant_id = ${key.tenantId} and source = ${key.source} for update`),
  );
  const now = options.now.toISOString();
  if (row!.pass_started_at !== null) {
    await tx.execute(sql`update sync_cursors set last_run_at = ${now}, updated_at = now()
      where tenant_id = ${key.tenantId} and source = ${key.source}`);
    return {
      cursor: asDate(row!.cursor),
      startedAt: asDate(row!.pass_started_at)!,
      passFrom: asDate(row!.pass_from),
      resumeUrl: row!.resume_url,
      passPages: row!.pass_pages,
      passRows: row!.pass_rows,
      resumed: true,
    };
  }
  const cursor = asDate(row!.cursor);
  const passFrom = options.full || !cursor ? null : new Date(cursor.getTime() - options.overlapMs);
  await tx.execute(sql`update sync_cursors set pass_from = ${passFrom?.toISOString() ?? null},
      pass_started_at = ${now}, resume_url = null, pass_max_updated_at = null, pass_pages = 0, pass_rows = 0,
      last_run_at = ${now}, updated_at = now()
    where tenant_id = ${key.tenantId} and source = ${key.source}`);
  return {
    cursor,
    startedAt: options.now,
    passFrom,
    resumeUrl: null,
    passPages: 0,
    passRows: 0,
    resumed: false,
  };
}

/**
 * Records a stored page in the same transaction as its rows: the next page to read, the latest
 * edit seen and the counts. On the last page the pass closes and the watermark moves to the
 * latest edit seen, but never past the pass's start (an edit made during the pass to a row
 * already paged over is then inside the next pass), and never backwards.
 */
export async function commitSyncPage(
  tx: Tx,
  key: { tenantId: string; source: string },
  page: { next: string | null; maxUpdatedAt: Date | null; rows: number; counts: UpsertCounts },
): Promise<{ cursor: Date | null; passPages: number; passRows: number }> {
  const done = page.next === null;
  const max = page.maxUpdatedAt?.toISOString() ?? null;
  const [row] = rowsOf<{ cursor: Date | string | null; pass_pages: number; pass_rows: number }>(
    await tx.execute(sql`
      with seen as (
        select greatest(pass_max_updated_at, ${max}::timestamptz) as max_seen, pass_started_at
        from sync_cursors where tenant_id = ${key.tenantId} and source = ${key.source}
      )
      update sync_cursors c set
        cursor = case when ${done} and seen.max_seen is not null
          then greatest(c.cursor, least(seen.max_seen, seen.pass_started_at)) else c.cursor end,
        resume_url = ${page.next},
        pass_max_updated_at = case when ${done} then null else seen.max_seen end,
        pass_from = case when ${done} then null else c.pass_from end,
        pass_started_at = case when ${done} then null else c.pass_started_at end,
        pass_pages = case when ${done} then 0 else c.pass_pages + 1 end,
        pass_rows = case when ${done} then 0 else c.pass_rows + ${page.rows} end,
        last_run_rows = case when ${done} then c.pass_rows + ${page.rows} else c.last_run_rows end,
        last_success_at = case when ${done} then now() else c.last_success_at end,
        last_error = case when ${done} then null else c.last_error end,
        pages_fetched = c.pages_fetched + 1,
        rows_inserted = c.rows_inserted + ${page.counts.inserted},
        rows_updated = c.rows_updated + ${page.counts.updated},
        updated_at = now()
      from seen
      where c.tenant_id = ${key.tenantId} and c.source = ${key.source}
      returning c.cursor, c.pass_pages, c.pass_rows`),
  );
  return { cursor: asDate(row!.cursor), passPages: row!.pass_pages, passRows: row!.pass_rows };
}

/** Keeps the last failure visible in the sync status (the pass stays resumable). */
export async function recordSyncError(
  db: Db,
  key: { tenantId: string; source: string },
  message: string,
): Promise<void> {
  await withTenant(db, key.tenantId, (tx) =>
    tx.execute(sql`update sync_cursors set last_error = ${message}, updated_at = now()
      where tenant_id = ${key.tenantId} and source = ${key.source}`),
  );
}
