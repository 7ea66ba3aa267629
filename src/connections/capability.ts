import type { Capability } from "../capabilities/capability.ts";
import { handlePlaidItemEvent } from "./handle-plaid-item-event.ts";
import { handleStripeDeauthorization } from "./handle-stripe-deauthorization.ts";
import { connectionsRoutes } from "./routes.ts";

/** The connections capability: provider-side revocations and Item health change connection status. */
export const connectionsCapability: Capability = {
  ...connectionsRoutes,
  handle: (event, deps) =>
    event.provider === "stripe"
      ? handleStripeDeauthorization(event, deps)
      : handlePlaidItemEvent(event, deps),
};
