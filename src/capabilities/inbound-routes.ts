import { connectionsRoutes } from "../connections/routes.ts";
import { healthRoutes } from "../health/routes.ts";
import { payoutsRoutes } from "../payouts/routes.ts";
import { createRouteTable } from "./create-route-table.ts";

/**
 * The event types the webhook doors accept: every installed capability's routes (edge-safe: the
 * routes modules hold no handler code). Keep in step with `registry.ts` (a test compares them).
 */
export const inboundRoutes = createRouteTable([connectionsRoutes, payoutsRoutes, healthRoutes]);
