import type { Capability } from "../capabilities/capability.ts";
import { handleAccountEvent } from "./handle-account-event.ts";
import { handleItemEvent } from "./handle-item-event.ts";
import { payoutsRoutes } from "./routes.ts";

/** The payouts capability: provider events reconcile payout items and payee readiness. */
export const payoutsCapability: Capability = {
  ...payoutsRoutes,
  handle: (event, deps) =>
    event.type === "account.updated" || event.type === "payout.failed"
      ? handleAccountEvent(event, deps)
      : handleItemEvent(event, deps),
};
