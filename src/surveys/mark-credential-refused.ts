import { and, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { transitionConnection } from "../connections/transition-connection.ts";
import { withTenant } from "../db/with-tenant.ts";
import type { SurveyDeps } from "./survey-deps.ts";

/**
 * The provider refused a tenant's credential: the connection goes to `expired` through the status
 * machine (compare-and-set, one transition, under the tenant) and its owner is told once; they
 * must reconnect.
 */
export async function markCredentialRefused(
  deps: SurveyDeps,
  target: { tenantId: string; provider: string; reason: string },
): Promise<void> {
  const transition = await withTenant(deps.db, target.tenantId, async (tx) => {
    const [row] = await tx
      .select({ id: integrationConnections.id })
      .from(integrationConnections)
      .where(
        and(
          eq(integrationConnections.tenantId, target.tenantId),
          eq(integrationConnections.provider, target.provider),
        ),
      );
    if (!row) return undefined;
    return transitionConnection(tx, {
      connectionId: row.id,
      provider: target.provider,
      from: ["active", "error"],
      to: "expired",
      reason: target.reason,
    });
  });
  if (transition) await deps.notifier.notify(transition);
}
