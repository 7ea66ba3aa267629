import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { moveItem } from "./move-item.ts";
import { notifyPayouts } from "./notify-payouts.ts";
import { payPalItemStatus } from "./paypal-item-status.ts";
import { refreshBatchStatus } from "./refresh-batch-status.ts";

interface PayPalBatchView {
  batch_header?: { batch_status?: string };
  items?: {
    payout_item_id: string;
    transaction_status: string;
    payout_item?: { sender_item_id?: string };
    errors?: { name?: string };
  }[];
}

/**
 * Reads PayPal's view of a submitted batch and moves our items forward (idempotent: items only
 * move forward, credits are keyed by item). `settled` once no PayPal item of ours is in flight;
 * the caller polls again later until then.
 */
export async function pollPayPalBatch(
  deps: Deps,
  tenantId: string,
  batchId: string,
): Promise<{ settled: boolean; paypalStatus: string | undefined; moved: number }> {
  const [batch] = await withTenant(deps.db, tenantId, async (tx) =>
    rowsOf<{ paypal_batch_id: string | null }>(
      await tx.execute(
        sql`select paypal_batch_id from payout_batches where id = ${batchId} and tenant_id = ${tenantId}`,
      ),
    ),
  );
  if (!batch?.paypal_batch_id) return { settled: false, paypalStatus: undefined, moved: 0 };
  const base = providerConfig("paypal", deps.env).apiBaseUrl;
  const response = await deps.credentials.withCredential("paypal", {}, (credential) =>
    deps.http.request({
      provider: "paypal",
      operation: "payouts.get",
      url: `${base}/v1/payments/payouts/${encodeURIComponent(batch.paypal_batch_id!)}`,
      headers: { authorization: `Bearer ${credential.token}` },
    }),
  );
  const view = response.json as PayPalBatchView;
  const failures: string[] = [];
  const { moved, open } = await withTenant(deps.db, tenantId, async (tx) => {
    let count = 0;
    for (const item of view.items ?? []) {
      const ours = item.payout_item?.sender_item_id;
      const status = payPalItemStatus(item.transaction_status);
      if (!ours || !status) continue;
      const result = await moveItem(tx, tenantId, ours, {
        status,
        providerRef: item.payout_item_id,
        providerStatus: item.transaction_status,
        failureCode: item.errors?.name ?? null,
      });
      if (result.moved) count++;
      if (result.credited)
        failures.push(
          `${ours} (${item.transaction_status}${item.errors?.name ? `: ${item.errors.name}` : ""})`,
        );
    }
    await refreshBatchStatus(tx, tenantId, batchId);
    const [left] = rowsOf<{ n: number }>(
      await tx.execute(sql`select count(*)::int as n from payout_items where batch_id = ${batchId}
        and rail = 'paypal' and status in ('pending', 'submitted')`),
    );
    return { moved: count, open: left?.n ?? 0 };
  });
  if (failures.length) {
    await notifyPayouts(
      deps,
      tenantId,
      `PayPal did not pay ${failures.length} item(s) of batch ${batchId}; amounts are back in the balances: ${failures.slice(0, 10).join(", ")}`,
    );
  }
  return { settled: open === 0, paypalStatus: view.batch_header?.batch_status, moved };
}
