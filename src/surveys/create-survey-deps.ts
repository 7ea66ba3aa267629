import { and, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import type { ConnectionDeps } from "../connections/connection-deps.ts";
import { getAccessToken } from "../connections/get-access-token.ts";
import { transitionConnection } from "../connections/transition-connection.ts";
import type { JobQueue } from "../jobs.ts";
import { createFairingClient, type FairingClientOptions } from "../providers/fairing.ts";
import { providerConfig } from "../providers/provider-config.ts";
import type { SurveyDeps } from "./survey-deps.ts";

/**
 * Survey dependencies over the connection machinery: the tenant's Fairing key from its
 * connection (`credentialScope: "tenant"`), the base URL from `FAIRING_API_URL` or the catalog,
 * and a refused key routed to the connection status machine (→ `expired`, owner notified once).
 */
export function createSurveyDeps(
  connections: ConnectionDeps,
  jobs: JobQueue,
  clientOptions: Omit<FairingClientOptions, "baseUrl"> = {},
): SurveyDeps {
  return {
    db: connections.db,
    jobs,
    now: () => new Date(),
    async fairing(tenantId) {
      const apiKey = await getAccessToken(connections, tenantId, "fairing");
      const { apiBaseUrl } = providerConfig("fairing", connections.env);
      return createFairingClient(apiKey, { ...clientOptions, baseUrl: apiBaseUrl });
    },
    async credentialRefused(tenantId, provider, reason) {
      const [row] = await connections.db
        .select({ id: integrationConnections.id })
        .from(integrationConnections)
        .where(
          and(eq(integrationConnections.tenantId, tenantId), eq(integrationConnections.provider, provider)),
        );
      if (!row) return;
      const transition = await transitionConnection(connections.db, {
        connectionId: row.id,
        provider,
        from: ["active", "error"],
        to: "expired",
        reason,
      });
      if (transition) await connections.notifier.notify(transition);
    },
  };
}
