import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ConflictError, ValidationError } from "../errors.ts";

/**
 * Records the one approval of a batch awaiting it (who, when) and moves it to `approved`, in one
 * transaction. A batch has a single decision (primary key): approving twice, or approving a
 * rejected batch, is refused. The caller then starts execution (`payouts-execute-batch`).
 */
export async function approveBatch(
  deps: Pick<Deps, "db">,
  tenantId: string,
  batchId: string,
  actor: string,
): Promise<{ batchId: string; approvedBy: string; approvedAt: Date }> {
  if (!actor.trim()) throw new ValidationError("An approval names who approved");
  return withTenant(deps.db, tenantId, async (tx) => {
    const [moved] = rowsOf<{ id: string }>(
      await tx.execute(sql`update payout_batches set status = 'approved', updated_at = now()
        where id = ${batchId} and tenant_id = ${tenantId} and status = 'awaiting_approval' returning id`),
    );
    if (!moved)
      throw new ConflictError(`Batch ${batchId} is not awaiting approval`, { context: { batchId } });
    const [decision] = rowsOf<{ decided_at: string | Date }>(
      await tx.execute(sql`insert into payout_approvals (batch_id, tenant_id, decision, actor)
        values (${batchId}, ${tenantId}, 'approved', ${actor}) returning decided_at`),
    );
    return { batchId, approvedBy: actor, approvedAt: new Date(decision!.decided_at) };
  });
}
