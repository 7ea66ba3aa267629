// Generated from src/capabilities/registry.ts by `npm run routes`: do not edit.
import type { CapabilityRoutes } from "./capability.ts";

/** Every installed capability's inbound routes, as data (no handler code: the edge imports it). */
export const generatedRoutes: readonly CapabilityRoutes[] = [
  {
    "name": "connections",
    "routes": [
      {
        "provider": "stripe",
        "types": [
          "account.application.deauthorized"
        ]
      },
      {
        "provider": "plaid",
        "types": [
          "ITEM.ERROR",
          "ITEM.LOGIN_REPAIRED",
          "ITEM.PENDING_EXPIRATION",
          "ITEM.PENDING_DISCONNECT",
          "ITEM.USER_PERMISSION_REVOKED",
          "ITEM.USER_ACCOUNT_REVOKED"
        ]
      }
    ]
  },
  {
    "name": "payouts",
    "routes": [
      {
        "provider": "stripe",
        "types": [
          "transfer.reversed",
          "payout.failed",
          "account.updated"
        ]
      },
      {
        "provider": "paypal",
        "types": [
          "PAYMENT.PAYOUTS-ITEM.SUCCEEDED",
          "PAYMENT.PAYOUTS-ITEM.FAILED",
          "PAYMENT.PAYOUTS-ITEM.RETURNED",
          "PAYMENT.PAYOUTS-ITEM.UNCLAIMED",
          "PAYMENT.PAYOUTS-ITEM.BLOCKED",
          "PAYMENT.PAYOUTS-ITEM.REFUNDED",
          "PAYMENT.PAYOUTS-ITEM.DENIED",
          "PAYMENT.PAYOUTS-ITEM.CANCELED",
          "PAYMENT.PAYOUTS-ITEM.HELD"
        ]
      }
    ]
  }
];
