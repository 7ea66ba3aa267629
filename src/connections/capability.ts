import type { Capability } from "../capabilities/capability.ts";
import { handlePayeePlaidEvent } from "../payouts/handle-payee-plaid-event.ts";
import { handlePlaidItemEvent } from "./handle-plaid-item-event.ts";
import { handleStripeDeauthorization } from "./handle-stripe-deauthorization.ts";
import { connectionsRoutes } from "./routes.ts";

/**
 * The connections capability: provider-side revocations and Item health change connection status.
 * Plaid ITEM events own one route for two kinds of Item: a tenant connection's, or a payee's bank
 * (payouts); an Item no connection is linked to goes to the payee handler.
 */
export const connectionsCapability: Capability = {
  ...connectionsRoutes,
  handle: async (event, deps) => {
    if (event.provider === "stripe") return handleStripeDeauthorization(event, deps);
    const result = await handlePlaidItemEvent(event, deps);
    if (result.outcome !== "unknown_account") return result;
    const payee = await handlePayeePlaidEvent(event, deps);
    return payee.outcome === "unknown_item" ? result : { outcome: payee.outcome, payeeBank: true };
  },
};
