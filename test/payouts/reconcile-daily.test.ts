import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { approveBatch } from "../../src/payouts/approve-batch.ts";
import { executeStripeItem } from "../../src/payouts/execute-stripe-item.ts";
import { prepareBatch } from "../../src/payouts/prepare-batch.ts";
import { reconcilePayouts } from "../../src/payouts/reconcile-payouts.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { ledgerDrift } from "./ledger-drift.ts";
import { createPayoutsFixture, type PayoutsFixture } from "./payouts-fixture.ts";

let fx: PayoutsFixture;
beforeAll(async () => {
  fx = await createPayoutsFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await fx.db.truncate();
  fx.stripe.state.transfers.length = 0;
  fx.slack.requests.length = 0;
});

describe("the daily payouts reconciliation", () => {
  it("records a transfer Stripe made for an item the executor never recorded, returns reversed ones, and reports a paid item Stripe has no transfer for", async () => {
    const tenant = await fx.tenant();
    const payees = [await fx.payee(tenant), await fx.payee(tenant), await fx.payee(tenant)];
    for (const [i, payeeId] of payees.entries()) {
      await recordEarning(fx.deps, tenant, {
        payeeId,
        amountMinor: 1000 * (i + 2),
        currency: "usd",
        idempotencyKey: `e${i}`,
      });
    }
    const { batchId } = await prepareBatch(fx.deps, tenant);
    await approveBatch(fx.deps, tenant, batchId!, "ops");
    const items = await fx.rows<{ id: string }>(sql`select id from payout_items order by amount_minor`);
    const [lost, reversed, ghost] = items.map((i) => i.id) as [string, string, string];
    await expect(
      executeStripeItem(fx.deps, tenant, lost, {
        failpoint: (step) => {
          if (step === "after_provider_accepted") throw new Error("crash");
        },
      }),
    ).rejects.toThrow();
    await executeStripeItem(fx.deps, tenant, reversed);
    fx.stripe.state.transfers.find((t) => t.metadata.payout_item_id === reversed)!.reversed = true;
    await executeStripeItem(fx.deps, tenant, ghost);
    fx.stripe.state.transfers.splice(
      fx.stripe.state.transfers.findIndex((t) => t.metadata.payout_item_id === ghost),
      1,
    );

    const report = await reconcilePayouts(fx.deps);
    expect(report).toMatchObject({ checked: 3, repaired: 2 });
    expect(report.mismatches).toEqual([
      { tenantId: tenant, itemId: ghost, problem: "paid here, no transfer at Stripe" },
    ]);
    const statuses = Object.fromEntries(
      (await fx.rows<{ id: string; status: string }>(sql`select id, status from payout_items`)).map((r) => [
        r.id,
        r.status,
      ]),
    );
    expect(statuses).toEqual({ [lost]: "paid", [reversed]: "returned", [ghost]: "paid" });
    expect(fx.notices().join("\n")).toContain("1 mismatch");
    expect(fx.stripe.state.transfers).toHaveLength(2);
    await fx.db.db.execute(sql`update payout_items set status = 'needs_review' where id = ${lost}`);
    expect((await reconcilePayouts(fx.deps)).repaired).toBe(1);
    expect(
      (await fx.rows<{ status: string }>(sql`select status from payout_items where id = ${lost}`))[0]!.status,
    ).toBe("paid");
    const again = await reconcilePayouts(fx.deps);
    expect(again.repaired).toBe(0);
    expect((await ledgerDrift(fx, tenant)).filter((p) => !p.includes(ghost))).toEqual([]);
  });
});
