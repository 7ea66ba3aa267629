import type { CapabilityRoutes } from "../capabilities/capability.ts";

/** Plaid ITEM webhooks that change whether a linked Item still works. */
export const PLAID_ITEM_EVENTS = [
  "ITEM.ERROR",
  "ITEM.LOGIN_REPAIRED",
  "ITEM.PENDING_EXPIRATION",
  "ITEM.PENDING_DISCONNECT",
  "ITEM.USER_PERMISSION_REVOKED",
  "ITEM.USER_ACCOUNT_REVOKED",
] as const;

/** Inbound events of the connections capability (edge-safe: no handler code here). */
export const connectionsRoutes: CapabilityRoutes = {
  name: "connections",
  routes: [
    // A Connect account removed our platform's access: its connection is gone.
    { provider: "stripe", types: ["account.application.deauthorized"] },
    { provider: "plaid", types: PLAID_ITEM_EVENTS },
  ],
};
