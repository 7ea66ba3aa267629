import type { CapabilityRoutes } from "../capabilities/capability.ts";

/** PayPal payout item events; each moves one of our items (sender_item_id is our item id). */
export const PAYPAL_PAYOUT_ITEM_EVENTS = [
  "PAYMENT.PAYOUTS-ITEM.SUCCEEDED",
  "PAYMENT.PAYOUTS-ITEM.FAILED",
  "PAYMENT.PAYOUTS-ITEM.RETURNED",
  "PAYMENT.PAYOUTS-ITEM.UNCLAIMED",
  "PAYMENT.PAYOUTS-ITEM.BLOCKED",
  "PAYMENT.PAYOUTS-ITEM.REFUNDED",
  "PAYMENT.PAYOUTS-ITEM.DENIED",
  "PAYMENT.PAYOUTS-ITEM.CANCELED",
  "PAYMENT.PAYOUTS-ITEM.HELD",
] as const;

/** Inbound events of the payouts capability (edge-safe: no handler code here). */
export const payoutsRoutes: CapabilityRoutes = {
  name: "payouts",
  routes: [
    { provider: "stripe", types: ["transfer.reversed", "payout.failed", "account.updated"] },
    { provider: "paypal", types: PAYPAL_PAYOUT_ITEM_EVENTS },
  ],
};
