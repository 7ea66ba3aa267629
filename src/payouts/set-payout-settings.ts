import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { ValidationError } from "../errors.ts";

export interface PayoutSettingsInput {
  minimumMinor?: number;
  itemCeilingMinor?: number;
  approvalAboveMinor?: number | null;
  approvalAlways?: boolean;
  /** Basis points, 50-5000 (0.5%-50%), or null for no platform fee. */
  feeBps?: number | null;
}

const positive = (name: string, value: number | undefined) => {
  if (value !== undefined && (!Number.isSafeInteger(value) || value <= 0)) {
    throw new ValidationError(`${name} must be a positive integer of minor units`);
  }
};

/** Sets a tenant's payout policy; unset fields keep their current (or default) value. */
export async function setPayoutSettings(
  deps: Pick<Deps, "db">,
  tenantId: string,
  input: PayoutSettingsInput,
): Promise<void> {
  positive("minimumMinor", input.minimumMinor);
  positive("itemCeilingMinor", input.itemCeilingMinor);
  if (input.approvalAboveMinor != null) positive("approvalAboveMinor", input.approvalAboveMinor);
  if (input.feeBps != null && (!Number.isInteger(input.feeBps) || input.feeBps < 50 || input.feeBps > 5000)) {
    throw new ValidationError("A platform fee must be between 0.5% and 50% (50-5000 basis points)");
  }
  await withTenant(deps.db, tenantId, async (tx) => {
    await tx.execute(
      sql`insert into payout_settings (tenant_id) values (${tenantId}) on conflict do nothing`,
    );
    const [current] = rowsOf<{ minimum_minor: string | number; item_ceiling_minor: string | number }>(
      await tx.execute(sql`select minimum_minor, item_ceiling_minor from payout_settings
        where tenant_id = ${tenantId} for update`),
    );
    const minimum = input.minimumMinor ?? Number(current?.minimum_minor);
    const ceiling = input.itemCeilingMinor ?? Number(current?.item_ceiling_minor);
    if (minimum > ceiling) {
      throw new ValidationError(
        `The minimum payout (${minimum}) is above the per-item ceiling (${ceiling}): nobody could be paid`,
      );
    }
    await tx.execute(sql`update payout_settings set
        minimum_minor = coalesce(${input.minimumMinor ?? null}::bigint, minimum_minor),
        item_ceiling_minor = coalesce(${input.itemCeilingMinor ?? null}::bigint, item_ceiling_minor),
        approval_above_minor = case when ${input.approvalAboveMinor === undefined} then approval_above_minor
          else ${input.approvalAboveMinor ?? null}::bigint end,
        approval_always = coalesce(${input.approvalAlways ?? null}::boolean, approval_always),
        fee_bps = case when ${input.feeBps === undefined} then fee_bps else ${input.feeBps ?? null}::int end,
        updated_at = now()
      where tenant_id = ${tenantId}`);
  });
}
