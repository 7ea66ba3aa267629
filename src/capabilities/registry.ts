import { connectionsCapability } from "../connections/capability.ts";
import { healthCapability } from "../health/capability.ts";
import { payoutsCapability } from "../payouts/capability.ts";
import { createCapabilityRegistry } from "./create-capability-registry.ts";

/**
 * Every installed capability, imported statically: the inbox tasks, the CLI and the local runtime
 * route through this one module, so a Trigger.dev worker that loads a single task file routes
 * exactly like every other process. Add a capability here, then run `npm run routes` (the doors'
 * route table is generated from this list).
 */
export const capabilityRegistry = createCapabilityRegistry([
  connectionsCapability,
  payoutsCapability,
  healthCapability,
]);
