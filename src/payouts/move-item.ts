import { sql } from "drizzle-orm";
import type { ItemStatus } from "../../db/schema.ts";
import { rowsOf, type Tx } from "../db/types.ts";

export interface ItemOutcome {
  status: ItemStatus;
  providerRef?: string | null | undefined;
  providerStatus?: string | null | undefined;
  failureCode?: string | null | undefined;
  failureMessage?: string | null | undefined;
}

export interface MovedItem {
  moved: boolean;
  from: ItemStatus;
  to: ItemStatus;
  credited: boolean;
  payeeId: string;
  batchId: string;
  amountMinor: number;
}

/**
 * How far an item has come. An item only ever moves forward, so a late or repeated signal (a
 * webhook delivered twice, out of order, a replayed run) can never undo a later one: a claim
 * (`unclaimed`) can become `paid`, a payout can come back (`returned`), but nothing leaves a
 * terminal state. `needs_review` (we cannot tell whether money moved) yields to any answer.
 */
const RANK: Record<ItemStatus, number> = {
  pending: 0,
  submitted: 1,
  needs_review: 1,
  unclaimed: 2,
  paid: 3,
  failed: 4,
  returned: 4,
  cancelled: 4,
};

const CREDIT_KIND: Partial<Record<ItemStatus, "release" | "return">> = {
  failed: "release",
  cancelled: "release",
  returned: "return",
};

/**
 * Moves one payout item forward (compare-and-set under a row lock) and, when it ends without the
 * money staying with the payee (`failed`, `cancelled`, `returned`), appends the crediting ledger
 * entry that undoes its reservation. The credit's key (`credit:<itemId>`) is unique per tenant,
 * so however many signals arrive an item is credited at most once.
 */
export async function moveItem(
  tx: Tx,
  tenantId: string,
  itemId: string,
  outcome: ItemOutcome,
): Promise<MovedItem> {
  const [item] = rowsOf<{
    status: ItemStatus;
    payee_id: string;
    batch_id: string;
    amount_minor: string | number;
    currency: string;
  }>(
    await tx.execute(sql`select status, payee_id, batch_id, amount_minor, currency from payout_items
      where id = ${itemId} and tenant_id = ${tenantId} for update`),
  );
  if (!item) throw new Error(`payout item ${itemId} not found`);
  const from = item.status;
  // Money that already reached the payee and then failed came back: a return, not a release.
  let to = outcome.status;
  if (to === "failed" && (from === "paid" || from === "unclaimed")) to = "returned";
  const base = {
    from,
    payeeId: item.payee_id,
    batchId: item.batch_id,
    amountMinor: Number(item.amount_minor),
  };
  const forward =
    RANK[to] > RANK[from] ||
    (from === "needs_review" && to !== "needs_review") ||
    (from === "pending" && to === "submitted") ||
    ((from === "pending" || from === "submitted") && to === "needs_review");
  if (!forward || (to === "cancelled" && from !== "pending"))
    return { ...base, to: from, moved: false, credited: false };
  await tx.execute(sql`update payout_items set status = ${to},
      provider_ref = coalesce(${outcome.providerRef ?? null}, provider_ref),
      provider_status = coalesce(${outcome.providerStatus ?? null}, provider_status),
      failure_code = coalesce(${outcome.failureCode ?? null}, failure_code),
      failure_message = coalesce(${outcome.failureMessage ?? null}, failure_message),
      settled_at = case when ${RANK[to] >= 2} then coalesce(settled_at, now()) else settled_at end,
      updated_at = now()
    where id = ${itemId}`);
  const kind = CREDIT_KIND[to];
  let credited = false;
  if (kind) {
    const inserted =
      await tx.execute(sql`insert into ledger_entries (tenant_id, payee_id, kind, amount_minor, currency, idempotency_key, item_id, memo)
      values (${tenantId}, ${item.payee_id}, ${kind}, ${Number(item.amount_minor)}, ${item.currency}, ${`credit:${itemId}`}, ${itemId},
        ${`payout item ${to}${outcome.failureCode ? `: ${outcome.failureCode}` : ""}`})
      on conflict (tenant_id, idempotency_key) do nothing returning id`);
    credited = rowsOf(inserted).length > 0;
  }
  return { ...base, to, moved: true, credited };
}
