import { sql } from "drizzle-orm";
import { rowsOf } from "../db/types.ts";
import type { SurveyDeps } from "./survey-deps.ts";

export const FAIRING_SYNC_TENANT_TASK = "fairing-sync-tenant";

/**
 * The hourly fan-out: one `fairing-sync-tenant` run per tenant with a usable Fairing connection.
 * A cross-tenant read by design (the sweep), so it runs outside `withTenant`; each child works
 * under its own tenant. Keys are per tenant and hour, so a retried sweep starts nothing twice.
 */
export async function sweepFairingSync(deps: SurveyDeps, slot: Date): Promise<{ tenants: number }> {
  const tenants = rowsOf<{ tenant_id: string }>(
    await deps.db.execute(sql`select tenant_id from integration_connections
      where provider = 'fairing' and status in ('active', 'error') order by tenant_id`),
  ).map((r) => r.tenant_id);
  if (tenants.length === 0) return { tenants: 0 };
  await deps.jobs.batchTrigger(
    FAIRING_SYNC_TENANT_TASK,
    tenants.map((tenantId) => ({
      payload: { tenantId },
      options: {
        idempotencyKey: `fairing-sync:${tenantId}:${slot.toISOString()}`,
        concurrencyKey: tenantId,
        tags: [`tenant:${tenantId}`],
      },
    })),
  );
  return { tenants: tenants.length };
}
