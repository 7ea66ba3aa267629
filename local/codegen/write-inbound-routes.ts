import { writeFileSync } from "node:fs";
import { capabilityRegistry } from "../../src/capabilities/registry.ts";
import { INBOUND_ROUTES_FILE, renderInboundRoutes } from "./render-inbound-routes.ts";

// `npm run routes`: rewrites the webhook doors' route table from the capability registry.
writeFileSync(INBOUND_ROUTES_FILE, renderInboundRoutes(capabilityRegistry));
console.log(`wrote ${INBOUND_ROUTES_FILE} (${capabilityRegistry.entries().length} routes)`);
