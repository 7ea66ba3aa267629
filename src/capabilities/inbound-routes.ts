import { createRouteTable } from "./create-route-table.ts";
import { generatedRoutes } from "./inbound-routes.generated.ts";

/**
 * The event types the webhook doors accept: exactly the routes of the capabilities in
 * `registry.ts`, generated from it as data by `npm run routes` (the doors run on the edge and
 * must not import handler code). A test fails when the generated table is out of date.
 */
export const inboundRoutes = createRouteTable(generatedRoutes);
