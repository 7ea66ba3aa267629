import { sql } from "drizzle-orm";
import type { BatchStatus, ItemStatus, PayoutRail } from "../../db/schema.ts";
import { rowsOf, type Tx } from "../db/types.ts";
import { ConflictError, NotFoundError } from "../errors.ts";

export interface PayoutItemRow {
  id: string;
  batchId: string;
  payeeId: string;
  rail: PayoutRail;
  status: ItemStatus;
  batchStatus: BatchStatus;
  amountMinor: number;
  netMinor: number;
  currency: string;
  destination: string;
  providerRef: string | null;
  attempts: number;
}

/**
 * Claims an item for sending, under a row lock: refused unless its batch was approved; a settled
 * item is returned as is (nothing to send). Otherwise the item becomes `submitted` (attempts
 * counted) and the batch `processing`. `wasSubmitted` tells that an earlier attempt may have
 * reached the provider.
 */
export async function claimItem(
  tx: Tx,
  tenantId: string,
  itemId: string,
): Promise<{ item: PayoutItemRow; wasSubmitted: boolean; sendable: boolean }> {
  const [row] = rowsOf<Record<string, string | number | null>>(
    await tx.execute(sql`select i.*, b.status as batch_status from payout_items i join payout_batches b on b.id = i.batch_id
      where i.id = ${itemId} and i.tenant_id = ${tenantId} for update of i`),
  );
  if (!row) throw new NotFoundError(`No payout item ${itemId}`);
  const item: PayoutItemRow = {
    id: String(row.id),
    batchId: String(row.batch_id),
    payeeId: String(row.payee_id),
    rail: row.rail as PayoutRail,
    status: row.status as ItemStatus,
    batchStatus: row.batch_status as BatchStatus,
    amountMinor: Number(row.amount_minor),
    netMinor: Number(row.net_minor),
    currency: String(row.currency),
    destination: String(row.destination),
    providerRef: row.provider_ref === null ? null : String(row.provider_ref),
    attempts: Number(row.attempts),
  };
  if (
    item.batchStatus === "draft" ||
    item.batchStatus === "awaiting_approval" ||
    item.batchStatus === "cancelled"
  ) {
    throw new ConflictError(
      `Batch ${item.batchId} is ${item.batchStatus}: it cannot be executed without approval`,
      {
        context: { batchId: item.batchId, status: item.batchStatus },
      },
    );
  }
  if (item.status !== "pending" && item.status !== "submitted") {
    return { item, wasSubmitted: false, sendable: false };
  }
  await tx.execute(sql`update payout_items set status = 'submitted', attempts = attempts + 1,
      submitted_at = coalesce(submitted_at, now()), updated_at = now() where id = ${itemId}`);
  await tx.execute(sql`update payout_batches set status = 'processing', updated_at = now()
    where id = ${item.batchId} and status = 'approved'`);
  return { item, wasSubmitted: item.status === "submitted", sendable: true };
}
