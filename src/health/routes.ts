import type { CapabilityRoutes } from "../capabilities/capability.ts";

/**
 * Inbound events of the health capability (edge-safe): none. Health runs on its own schedule
 * (probes, sweep, alerts, retention); provider events that change a connection's status belong
 * to the connections capability.
 */
export const healthRoutes: CapabilityRoutes = { name: "health", routes: [] };
