import type { ItemStatus } from "../../db/schema.ts";

/**
 * A PayPal payout item's `transaction_status` (batch reads) or `PAYMENT.PAYOUTS-ITEM.*` event
 * suffix as our item status; undefined while PayPal is still working on it (PENDING, ONHOLD, HELD…).
 * FAILED, DENIED, BLOCKED and CANCELED mean the money did not reach the payee; RETURNED, REFUNDED
 * and REVERSED that it came back.
 */
export function payPalItemStatus(status: string): ItemStatus | undefined {
  switch (status.toUpperCase()) {
    case "SUCCESS":
    case "SUCCEEDED":
      return "paid";
    case "UNCLAIMED":
      return "unclaimed";
    case "FAILED":
    case "DENIED":
    case "BLOCKED":
    case "CANCELED":
      return "failed";
    case "RETURNED":
    case "REFUNDED":
    case "REVERSED":
      return "returned";
    default:
      return undefined;
  }
}
