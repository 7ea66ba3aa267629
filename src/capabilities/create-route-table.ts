import type { CapabilityRoutes } from "./capability.ts";

/** Which capability owns each (provider, type); the webhook doors accept exactly these. */
export interface RouteTable {
  capabilityFor(provider: string, type: string): string | undefined;
  accepts(provider: string, type: string): boolean;
  /** Every (provider, type, capability), for help texts and tests. */
  entries(): { provider: string; type: string; capability: string }[];
}

/**
 * Builds the table; two capabilities claiming one (provider, type), or sharing a name (events are
 * handed to a capability by name), is a programming error.
 */
export function createRouteTable(capabilities: readonly CapabilityRoutes[]): RouteTable {
  const owners = new Map<string, { provider: string; type: string; capability: string }>();
  const names = new Set<string>();
  for (const capability of capabilities) {
    if (names.has(capability.name)) throw new Error(`two capabilities are named ${capability.name}`);
    names.add(capability.name);
    for (const route of capability.routes) {
      for (const type of route.types) {
        const key = `${route.provider}\u0000${type}`;
        const taken = owners.get(key);
        if (taken) {
          throw new Error(
            `${route.provider} ${type} is claimed by both ${taken.capability} and ${capability.name}`,
          );
        }
        owners.set(key, { provider: route.provider, type, capability: capability.name });
      }
    }
  }
  const capabilityFor = (provider: string, type: string) =>
    owners.get(`${provider}\u0000${type}`)?.capability;
  return {
    capabilityFor,
    accepts: (provider, type) => capabilityFor(provider, type) !== undefined,
    entries: () => [...owners.values()],
  };
}
