import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { createStripeClient } from "../providers/stripe.ts";
import { stripeTransferGroup } from "./execute-stripe-item.ts";
import { moveItem } from "./move-item.ts";
import { notifyPayouts } from "./notify-payouts.ts";
import { pollPayPalBatch } from "./poll-paypal-batch.ts";
import { refreshBatchStatus } from "./refresh-batch-status.ts";
import { startBatchExecution } from "./start-batch-execution.ts";

export interface ReconcileReport {
  checked: number;
  repaired: number;
  restarted: number;
  mismatches: { tenantId: string; itemId: string; problem: string }[];
}

/**
 * The daily comparison of our items with the providers' view, across tenants (a sweep; writes run
 * under each item's tenant). Stripe items sent or paid in the last `days`: a transfer found for an
 * item still `submitted` is recorded (repair), a fully reversed one returns the item, and a paid
 * item without its transfer or with another amount is a mismatch, reported and notified, never
 * changed automatically. PayPal batches still in flight are polled; approved batches that never
 * started are started. Items needing review are settled by the transfer Stripe shows, or reported.
 */
export async function reconcilePayouts(
  deps: Deps,
  options: { days?: number } = {},
): Promise<ReconcileReport> {
  const days = options.days ?? 7;
  const report: ReconcileReport = { checked: 0, repaired: 0, restarted: 0, mismatches: [] };
  const items = rowsOf<{
    id: string;
    tenant_id: string;
    batch_id: string;
    status: string;
    net_minor: string;
    provider_ref: string | null;
  }>(
    await deps.db.execute(sql`select id, tenant_id, batch_id, status, net_minor, provider_ref from payout_items
      where rail = 'stripe_connect' and status in ('submitted', 'paid', 'needs_review')
        and updated_at > now() - make_interval(days => ${days}) order by tenant_id, id`),
  );
  if (items.length > 0) {
    const credential = await deps.credentials.resolve("stripe");
    const stripe = createStripeClient(credential.token, {
      baseUrl: providerConfig("stripe", deps.env).apiBaseUrl,
    });
    for (const item of items) {
      report.checked++;
      const found = (
        await stripe.transfers.list({ transfer_group: stripeTransferGroup(item.id), limit: 10 })
      ).data.filter((t) => t.metadata?.payout_item_id === item.id);
      const problem =
        found.length > 1
          ? `${found.length} transfers for one item`
          : item.status === "paid" && found.length === 0
            ? "paid here, no transfer at Stripe"
            : item.status === "needs_review" && found.length === 0
              ? "needs review: no transfer at Stripe"
              : found[0] && found[0].amount !== Number(item.net_minor)
                ? `transfer amount ${found[0].amount} != ${item.net_minor}`
                : undefined;
      if (problem) {
        report.mismatches.push({ tenantId: item.tenant_id, itemId: item.id, problem });
        continue;
      }
      const transfer = found[0];
      if (!transfer || (item.status === "paid" && !transfer.reversed)) continue;
      await withTenant(deps.db, item.tenant_id, async (tx) => {
        await moveItem(tx, item.tenant_id, item.id, {
          status: transfer.reversed ? "returned" : "paid",
          providerRef: transfer.id,
          providerStatus: transfer.reversed ? "transfer.reversed" : "transfer.created",
        });
        await refreshBatchStatus(tx, item.tenant_id, item.batch_id);
      });
      report.repaired++;
    }
  }
  const batches = rowsOf<{ id: string; tenant_id: string; status: string; paypal_batch_id: string | null }>(
    await deps.db.execute(sql`select id, tenant_id, status, paypal_batch_id from payout_batches
      where status = 'approved' or (status = 'processing' and paypal_batch_id is not null) order by id`),
  );
  for (const batch of batches) {
    if (batch.status === "approved") {
      await startBatchExecution(deps, batch.tenant_id, batch.id);
      report.restarted++;
    } else {
      await pollPayPalBatch(deps, batch.tenant_id, batch.id);
    }
  }
  for (const tenantId of new Set(report.mismatches.map((m) => m.tenantId))) {
    const mine = report.mismatches.filter((m) => m.tenantId === tenantId);
    await notifyPayouts(
      deps,
      tenantId,
      `Payout reconciliation found ${mine.length} mismatch(es): ${mine
        .slice(0, 5)
        .map((m) => `${m.itemId}: ${m.problem}`)
        .join("; ")}`,
    );
  }
  return report;
}
