import { and, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { transitionConnection } from "../connections/transition-connection.ts";
import type { SurveyDeps } from "./survey-deps.ts";

/**
 * The provider refused a tenant's credential: the connection goes to `expired` through the status
 * machine (compare-and-set, one transition) and its owner is told once; they must reconnect.
 */
export async function markCredentialRefused(
  deps: SurveyDeps,
  target: { tenantId: string; provider: string; reason: string },
): Promise<void> {
  const [row] = await deps.db
    .select({ id: integrationConnections.id })
    .from(integrationConnections)
    .where(
      and(
        eq(integrationConnections.tenantId, target.tenantId),
        eq(integrationConnections.provider, target.provider),
      ),
    );
  if (!row) return;
  const transition = await transitionConnection(deps.db, {
    connectionId: row.id,
    provider: target.provider,
    from: ["active", "error"],
    to: "expired",
    reason: target.reason,
  });
  if (transition) await deps.notifier.notify(transition);
}
