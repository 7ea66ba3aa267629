import type { Deps } from "../build-deps.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ValidationError } from "../errors.ts";
import { classifyStripeError } from "../providers/classify-stripe-error.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { createStripeClient } from "../providers/stripe.ts";
import { blockedConnection } from "./blocked-connection.ts";
import { claimItem } from "./load-item.ts";
import { moveItem } from "./move-item.ts";
import { notifyPayouts } from "./notify-payouts.ts";
import type { PayoutRunOptions } from "./payout-failpoint.ts";
import { refreshBatchStatus } from "./refresh-batch-status.ts";

export interface ExecutedItem {
  itemId: string;
  outcome: "paid" | "already_settled" | "failed" | "needs_review";
  transferId?: string;
}

/** Both derived from our item id: the same item always sends the same key and group. */
export const stripeIdempotencyKey = (itemId: string) => `payout-item-${itemId}`;
export const stripeTransferGroup = (itemId: string) => `payout_item_${itemId}`;

/**
 * Pays one Stripe Connect item: `transfers.create` to the connected account, keyed by the item id,
 * then records the transfer. A re-run after any crash sends the same key (Stripe answers with the
 * first transfer); when an earlier attempt may have reached Stripe, the transfer is first looked up
 * by its group, so even an expired idempotency key cannot pay twice. Permanent refusals release
 * the reservation and notify; transient failures throw a retryable error with the item untouched.
 */
export async function executeStripeItem(
  deps: Deps,
  tenantId: string,
  itemId: string,
  options: PayoutRunOptions = {},
): Promise<ExecutedItem> {
  const claim = await withTenant(deps.db, tenantId, (tx) => claimItem(tx, tenantId, itemId));
  const { item } = claim;
  if (item.rail !== "stripe_connect")
    throw new ValidationError(`Item ${itemId} is not a Stripe Connect item`);
  if (!claim.sendable) return { itemId, outcome: "already_settled" };
  // A first attempt through a connection that broke after approval sends nothing and releases the
  // item; a retried one still looks its transfer up below (money may already have moved).
  const blocked = claim.wasSubmitted
    ? undefined
    : await withTenant(deps.db, tenantId, (tx) => blockedConnection(tx, tenantId, "stripe_connect"));
  if (blocked) {
    await withTenant(deps.db, tenantId, async (tx) => {
      await moveItem(tx, tenantId, itemId, {
        status: "failed",
        failureCode: blocked,
        failureMessage: `The tenant's Stripe Connect connection is ${blocked.slice("connection_".length)}`,
      });
      await refreshBatchStatus(tx, tenantId, item.batchId);
    });
    await notifyPayouts(
      deps,
      tenantId,
      `Payout item ${itemId} was not sent: ${blocked.replace("_", " ")}; its amount is back in the payee's balance.`,
    );
    return { itemId, outcome: "failed" };
  }
  await options.failpoint?.("after_claim");
  const credential = await deps.credentials.resolve("stripe");
  const stripe = createStripeClient(credential.token, {
    baseUrl: providerConfig("stripe", deps.env).apiBaseUrl,
  });
  let transferId: string;
  try {
    const earlier = claim.wasSubmitted
      ? (await stripe.transfers.list({ transfer_group: stripeTransferGroup(itemId), limit: 10 })).data.find(
          (t) => t.metadata?.payout_item_id === itemId,
        )
      : undefined;
    transferId =
      earlier?.id ??
      (
        await stripe.transfers.create(
          {
            amount: item.netMinor,
            currency: item.currency,
            destination: item.destination,
            transfer_group: stripeTransferGroup(itemId),
            metadata: { payout_item_id: itemId, payout_batch_id: item.batchId },
          },
          { idempotencyKey: stripeIdempotencyKey(itemId) },
        )
      ).id;
  } catch (err) {
    const { kind, error } = classifyStripeError(err);
    if (kind === "retry" || kind === "halt") throw error;
    const status = kind === "payee_rejected" ? "failed" : "needs_review";
    await withTenant(deps.db, tenantId, async (tx) => {
      await moveItem(tx, tenantId, itemId, {
        status,
        failureCode: error.code,
        failureMessage: error.message,
      });
      await refreshBatchStatus(tx, tenantId, item.batchId);
    });
    await notifyPayouts(
      deps,
      tenantId,
      kind === "payee_rejected"
        ? `Payout item ${itemId} to ${item.destination} failed (${error.code}); its amount is back in the payee's balance.`
        : `Payout item ${itemId} needs review: Stripe refused its idempotency key (${error.code}).`,
    );
    return { itemId, outcome: status };
  }
  await options.failpoint?.("after_provider_accepted");
  await withTenant(deps.db, tenantId, async (tx) => {
    await moveItem(tx, tenantId, itemId, {
      status: "paid",
      providerRef: transferId,
      providerStatus: "transfer.created",
    });
    await refreshBatchStatus(tx, tenantId, item.batchId);
  });
  await options.failpoint?.("after_recording");
  return { itemId, outcome: "paid", transferId };
}
