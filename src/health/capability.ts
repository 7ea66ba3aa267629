import type { Capability } from "../capabilities/capability.ts";
import { ValidationError } from "../errors.ts";
import { healthRoutes } from "./routes.ts";

/**
 * The health capability: probes every connection on a schedule, feeds the connection status
 * machine, alerts once per change and keeps a pruned history. It routes no inbound events.
 */
export const healthCapability: Capability = {
  ...healthRoutes,
  handle: async (event) => {
    throw new ValidationError(`The health capability handles no inbound events (got ${event.type})`);
  },
};
