import type { Capability } from "./capability.ts";
import { createRouteTable, type RouteTable } from "./create-route-table.ts";

/** Routes stored events to the capability that handles their (provider, type). */
export interface CapabilityRegistry extends RouteTable {
  handlerFor(provider: string, type: string): Capability | undefined;
}

export function createCapabilityRegistry(capabilities: readonly Capability[]): CapabilityRegistry {
  const table = createRouteTable(capabilities);
  const byName = new Map(capabilities.map((c) => [c.name, c]));
  return {
    ...table,
    handlerFor: (provider, type) => {
      const name = table.capabilityFor(provider, type);
      return name ? byName.get(name) : undefined;
    },
  };
}
