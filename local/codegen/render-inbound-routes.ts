import type { CapabilityRoutes } from "../../src/capabilities/capability.ts";
import type { RouteTable } from "../../src/capabilities/create-route-table.ts";

export const INBOUND_ROUTES_FILE = "src/capabilities/inbound-routes.generated.ts";

/**
 * The edge-safe route table as TypeScript source: the (provider, types) of every installed
 * capability, as data, so the webhook doors never import handler code.
 */
export function renderInboundRoutes(registry: Pick<RouteTable, "entries">): string {
  const byName = new Map<string, Map<string, string[]>>();
  for (const { provider, type, capability } of registry.entries()) {
    const providers = byName.get(capability) ?? new Map<string, string[]>();
    byName.set(capability, providers);
    providers.set(provider, [...(providers.get(provider) ?? []), type]);
  }
  const capabilities: CapabilityRoutes[] = [...byName].map(([name, providers]) => ({
    name,
    routes: [...providers].map(([provider, types]) => ({ provider, types })),
  }));
  return [
    "// Generated from src/capabilities/registry.ts by `npm run routes`: do not edit.",
    'import type { CapabilityRoutes } from "./capability.ts";',
    "",
    "/** Every installed capability's inbound routes, as data (no handler code: the edge imports it). */",
    `export const generatedRoutes: readonly CapabilityRoutes[] = ${JSON.stringify(capabilities, null, 2)};`,
    "",
  ].join("\n");
}
