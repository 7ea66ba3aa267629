import { connectionsCapability } from "../connections/capability.ts";
import { healthCapability } from "../health/capability.ts";
import { payoutsCapability } from "../payouts/capability.ts";
import { createCapabilityRegistry } from "./create-capability-registry.ts";

/**
 * Every installed capability, imported statically: the inbox tasks, the CLI and the local runtime
 * route through this one module, so a Trigger.dev worker that loads a single task file routes
 * exactly like every other process. Add a capability here and its routes in `inbound-routes.ts`.
 */
export const capabilityRegistry = createCapabilityRegistry([
  connectionsCapability,
  payoutsCapability,
  healthCapability,
]);
