import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ConflictError, ValidationError } from "../errors.ts";

/**
 * Rejects a batch awaiting approval: records the decision (who, when, why), cancels the batch and
 * its items and releases every reservation (one crediting entry per item), in one transaction.
 */
export async function rejectBatch(
  deps: Pick<Deps, "db">,
  tenantId: string,
  batchId: string,
  actor: string,
  note?: string,
): Promise<{ batchId: string; released: number }> {
  if (!actor.trim()) throw new ValidationError("A rejection names who rejected");
  return withTenant(deps.db, tenantId, async (tx) => {
    const [moved] = rowsOf<{ id: string }>(
      await tx.execute(sql`update payout_batches set status = 'cancelled', completed_at = now(), updated_at = now()
        where id = ${batchId} and tenant_id = ${tenantId} and status = 'awaiting_approval' returning id`),
    );
    if (!moved)
      throw new ConflictError(`Batch ${batchId} is not awaiting approval`, { context: { batchId } });
    await tx.execute(sql`insert into payout_approvals (batch_id, tenant_id, decision, actor, note)
      values (${batchId}, ${tenantId}, 'rejected', ${actor}, ${note ?? null})`);
    // Nothing of a batch awaiting approval was sent: every item is still pending.
    await tx.execute(sql`update payout_items set status = 'cancelled', settled_at = now(), updated_at = now()
      where batch_id = ${batchId} and tenant_id = ${tenantId} and status = 'pending'`);
    const released = rowsOf(
      await tx.execute(sql`insert into ledger_entries (tenant_id, payee_id, kind, amount_minor, currency, idempotency_key, item_id, memo)
        select tenant_id, payee_id, 'release', amount_minor, currency, 'credit:' || id, id, 'payout batch rejected'
        from payout_items where batch_id = ${batchId} and tenant_id = ${tenantId} and status = 'cancelled'
        on conflict (tenant_id, idempotency_key) do nothing returning id`),
    ).length;
    return { batchId, released };
  });
}
