import { sql } from "drizzle-orm";
import type { BatchStatus } from "../../db/schema.ts";
import { rowsOf, type Tx } from "../db/types.ts";

/**
 * Derives a batch's outcome from its items once none is still on its way: `completed` when every
 * item reached its payee (paid or waiting to be claimed), `failed` when none did, else
 * `partially_failed`. Items needing review keep the batch `processing`. Safe to call any time.
 */
export async function refreshBatchStatus(
  tx: Tx,
  tenantId: string,
  batchId: string,
): Promise<BatchStatus | undefined> {
  // Cheap check first (runs after every item): while any item is in flight, nothing to derive.
  const [open] = rowsOf<{ status: BatchStatus }>(
    await tx.execute(sql`select b.status from payout_batches b where b.id = ${batchId} and b.tenant_id = ${tenantId}
      and exists (select 1 from payout_items i where i.batch_id = b.id
        and i.status in ('pending', 'submitted', 'needs_review'))`),
  );
  if (open) return open.status;
  const [row] = rowsOf<{ status: BatchStatus; open: number; ok: number; bad: number }>(
    await tx.execute(sql`select b.status,
        count(*) filter (where i.status in ('pending', 'submitted', 'needs_review'))::int as open,
        count(*) filter (where i.status in ('paid', 'unclaimed'))::int as ok,
        count(*) filter (where i.status in ('failed', 'returned', 'cancelled'))::int as bad
      from payout_batches b join payout_items i on i.batch_id = b.id
      where b.id = ${batchId} and b.tenant_id = ${tenantId} group by b.status`),
  );
  if (!row) return undefined;
  if (!["processing", "completed", "partially_failed", "failed"].includes(row.status) || row.open > 0)
    return row.status;
  const next: BatchStatus = row.bad === 0 ? "completed" : row.ok === 0 ? "failed" : "partially_failed";
  if (next !== row.status) {
    await tx.execute(sql`update payout_batches set status = ${next}, completed_at = coalesce(completed_at, now()), updated_at = now()
      where id = ${batchId} and tenant_id = ${tenantId}`);
  }
  return next;
}
