import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { PAYOUT_TASKS, payoutTags } from "./task-ids.ts";

/**
 * The weekly fan-out: one `payouts-prepare-batch` run per tenant with payout settings and per
 * currency its payees are paid in. A cross-tenant read by design (the sweep); each child works
 * under its tenant. Keys are per tenant, currency and week slot: a retried sweep starts nothing twice.
 */
export async function sweepPayouts(deps: Pick<Deps, "db" | "jobs">, slot: Date): Promise<{ runs: number }> {
  const pairs = rowsOf<{ tenant_id: string; currency: string }>(
    await deps.db.execute(sql`select distinct p.tenant_id, p.currency from payees p
      join payout_settings s on s.tenant_id = p.tenant_id order by 1, 2`),
  );
  if (pairs.length === 0) return { runs: 0 };
  for (let i = 0; i < pairs.length; i += 1_000) {
    await deps.jobs.batchTrigger(
      PAYOUT_TASKS.prepareBatch,
      pairs.slice(i, i + 1_000).map((p) => ({
        payload: { tenantId: p.tenant_id, currency: p.currency },
        options: {
          idempotencyKey: `payouts-sweep:${p.tenant_id}:${p.currency}:${slot.toISOString()}`,
          concurrencyKey: p.tenant_id,
          tags: payoutTags(p.tenant_id),
        },
      })),
    );
  }
  return { runs: pairs.length };
}
