import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ConflictError } from "../errors.ts";
import { submitPayPalBatch } from "./submit-paypal-batch.ts";
import { PAYOUT_TASKS, payoutTags } from "./task-ids.ts";

/**
 * Executes an approved batch: one `payouts-execute-item` run per Stripe item (keyed by item id,
 * so a re-run dispatches nothing twice) and one PayPal batch for the PayPal items, then a
 * `payouts-poll-paypal` run that follows it until it settles.
 */
export async function executeBatch(
  deps: Deps,
  tenantId: string,
  batchId: string,
  onProgress?: (progress: { stripeItems: number; paypalItems: number }) => void,
): Promise<{ stripeItems: number; paypalItems: number }> {
  const items = await withTenant(deps.db, tenantId, async (tx) => {
    const [batch] = rowsOf<{ status: string }>(
      await tx.execute(
        sql`select status from payout_batches where id = ${batchId} and tenant_id = ${tenantId}`,
      ),
    );
    if (batch?.status !== "approved" && batch?.status !== "processing") {
      throw new ConflictError(
        `Batch ${batchId} is ${batch?.status ?? "missing"}: it cannot be executed without approval`,
      );
    }
    return rowsOf<{ id: string; rail: string }>(
      await tx.execute(sql`select id, rail from payout_items where batch_id = ${batchId}
        and status in ('pending', 'submitted') order by id`),
    );
  });
  const stripe = items.filter((i) => i.rail === "stripe_connect");
  const paypal = items.filter((i) => i.rail === "paypal");
  for (let i = 0; i < stripe.length; i += 1_000) {
    await deps.jobs.batchTrigger(
      PAYOUT_TASKS.executeItem,
      stripe.slice(i, i + 1_000).map((item) => ({
        payload: { tenantId, itemId: item.id, batchId },
        options: {
          idempotencyKey: `payouts-item:${item.id}`,
          concurrencyKey: tenantId,
          tags: payoutTags(tenantId, batchId),
        },
      })),
    );
  }
  if (paypal.length > 0) {
    await submitPayPalBatch(deps, tenantId, batchId);
    await deps.jobs.trigger(
      PAYOUT_TASKS.pollPayPal,
      { tenantId, batchId, round: 1 },
      { idempotencyKey: `payouts-poll:${batchId}:1`, delay: "1m", tags: payoutTags(tenantId, batchId) },
    );
  }
  const progress = { stripeItems: stripe.length, paypalItems: paypal.length };
  onProgress?.(progress);
  return progress;
}
