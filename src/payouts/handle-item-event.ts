import type { Deps } from "../build-deps.ts";
import type { CapabilityEvent } from "../capabilities/capability.ts";
import { withTenant } from "../db/with-tenant.ts";
import { locatePayoutItem } from "./locate-payout-item.ts";
import { moveItem } from "./move-item.ts";
import { notifyPayouts } from "./notify-payouts.ts";
import { payPalItemStatus } from "./paypal-item-status.ts";
import { refreshBatchStatus } from "./refresh-batch-status.ts";

interface StripeTransfer {
  id?: string;
  reversed?: boolean;
  amount_reversed?: number;
  metadata?: { payout_item_id?: string };
}
interface PayPalItemResource {
  payout_item_id?: string;
  transaction_status?: string;
  payout_item?: { sender_item_id?: string };
  errors?: { name?: string };
}

export type ItemEventOutcome = "moved" | "unchanged" | "unknown_item" | "partial_reversal";

/**
 * Stripe `transfer.reversed` and PayPal `PAYMENT.PAYOUTS-ITEM.*`: moves our item forward and
 * credits the ledger once when the money did not stay with the payee. Items only move forward and
 * credits are keyed by item, so duplicates and any delivery order end in the same state.
 */
export async function handleItemEvent(
  event: CapabilityEvent,
  deps: Deps,
): Promise<{ outcome: ItemEventOutcome }> {
  let located: Awaited<ReturnType<typeof locatePayoutItem>>;
  let outcome: Parameters<typeof moveItem>[3] | undefined;
  if (event.provider === "stripe") {
    const transfer = (event.payload as { data?: { object?: StripeTransfer } }).data?.object ?? {};
    located = await locatePayoutItem(deps.db, {
      itemId: transfer.metadata?.payout_item_id,
      providerRef: transfer.id,
    });
    if (located && !transfer.reversed) {
      deps.logger.warn("partial transfer reversal: left for review", {
        itemId: located.itemId,
        transferId: transfer.id,
      });
      await notifyPayouts(
        deps,
        located.tenantId,
        `Transfer ${transfer.id} of payout item ${located.itemId} was partly reversed (${transfer.amount_reversed}); review it.`,
      );
      return { outcome: "partial_reversal" };
    }
    outcome = {
      status: "returned",
      providerRef: transfer.id,
      providerStatus: "transfer.reversed",
      failureCode: "transfer_reversed",
    };
  } else {
    const resource = (event.payload as { resource?: PayPalItemResource }).resource ?? {};
    located = await locatePayoutItem(deps.db, {
      itemId: resource.payout_item?.sender_item_id,
      providerRef: resource.payout_item_id,
    });
    const status = payPalItemStatus(event.type.split(".").pop() ?? "");
    outcome = status && {
      status,
      providerRef: resource.payout_item_id,
      providerStatus: resource.transaction_status ?? event.type,
      failureCode: resource.errors?.name ?? null,
    };
  }
  if (!located) {
    deps.logger.warn("payout event for an item we do not know", {
      provider: event.provider,
      type: event.type,
    });
    return { outcome: "unknown_item" };
  }
  if (!outcome) return { outcome: "unchanged" };
  const { tenantId, itemId } = located;
  const moved = await withTenant(deps.db, tenantId, async (tx) => {
    const result = await moveItem(tx, tenantId, itemId, outcome);
    await refreshBatchStatus(tx, tenantId, result.batchId);
    return result;
  });
  if (moved.credited) {
    await notifyPayouts(
      deps,
      tenantId,
      `Payout item ${itemId} ended ${moved.to} (${event.type}); its amount is back in the payee's balance.`,
    );
  }
  return { outcome: moved.moved ? "moved" : "unchanged" };
}
