import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { approveBatch } from "../../src/payouts/approve-batch.ts";
import { executeStripeItem, stripeIdempotencyKey } from "../../src/payouts/execute-stripe-item.ts";
import { payeeBalance } from "../../src/payouts/payee-balance.ts";
import type { PayoutStep } from "../../src/payouts/payout-failpoint.ts";
import { prepareBatch } from "../../src/payouts/prepare-batch.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { createStripeClient } from "../../src/providers/stripe.ts";
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
  fx.stripe.state.disabledAccounts.clear();
  fx.stripe.requests.length = 0;
  fx.slack.requests.length = 0;
});

class Crash extends Error {}
let n = 0;

async function approvedBatch(amounts: number[]) {
  const tenant = await fx.tenant();
  const payees: string[] = [];
  for (const amount of amounts) {
    const payee = await fx.payee(tenant);
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: amount,
      currency: "usd",
      idempotencyKey: `e-${++n}`,
    });
    payees.push(payee);
  }
  const { batchId } = await prepareBatch(fx.deps, tenant);
  await approveBatch(fx.deps, tenant, batchId!, "ops@acme.test");
  const items = await fx.rows<{ id: string; payee_id: string }>(
    sql`select id, payee_id from payout_items where batch_id = ${batchId} order by id`,
  );
  return { tenant, batchId: batchId!, payees, items };
}

const batchStatus = async (batchId: string) =>
  (await fx.rows<{ status: string }>(sql`select status from payout_batches where id = ${batchId}`))[0]!
    .status;

describe("paying Stripe Connect items", () => {
  it("transfers each item's net amount to its connected account with a key derived from the item, and completes the batch", async () => {
    const { tenant, batchId, items } = await approvedBatch([2500, 4000]);
    for (const item of items)
      expect(await executeStripeItem(fx.deps, tenant, item.id)).toMatchObject({ outcome: "paid" });
    const posts = fx.stripe.requestsTo("POST /v1/transfers");
    expect(posts.map((r) => r.headers["idempotency-key"]).sort()).toEqual(
      items.map((i) => stripeIdempotencyKey(i.id)).sort(),
    );
    expect(fx.stripe.state.transfers.map((t) => t.amount).sort()).toEqual([2500, 4000]);
    const rows = await fx.rows<{ status: string; provider_ref: string }>(
      sql`select status, provider_ref from payout_items`,
    );
    expect(rows.every((r) => r.status === "paid" && r.provider_ref.startsWith("tr_"))).toBe(true);
    expect(await batchStatus(batchId)).toBe("completed");
    expect(await ledgerDrift(fx, tenant)).toEqual([]);
    expect(await executeStripeItem(fx.deps, tenant, items[0]!.id)).toMatchObject({
      outcome: "already_settled",
    });
    expect(fx.stripe.state.transfers).toHaveLength(2);
  });

  it("sends nothing through a Stripe Connect connection that broke after approval, and releases the item", async () => {
    const { tenant, batchId, items, payees } = await approvedBatch([3000]);
    await fx.db.db.execute(sql`insert into integration_connections (tenant_id, provider, status)
      values (${tenant}, 'stripe_connect', 'disconnected')`);
    expect(await executeStripeItem(fx.deps, tenant, items[0]!.id)).toMatchObject({ outcome: "failed" });
    expect(fx.stripe.requestsTo("POST /v1/transfers")).toHaveLength(0);
    const [row] = await fx.rows<{ status: string; failure_code: string }>(
      sql`select status, failure_code from payout_items where id = ${items[0]!.id}`,
    );
    expect(row).toEqual({ status: "failed", failure_code: "connection_disconnected" });
    expect((await payeeBalance(fx.deps, tenant, payees[0]!)).availableMinor).toBe(3000);
    expect(await batchStatus(batchId)).toBe("failed");
    expect(await ledgerDrift(fx, tenant)).toEqual([]);
  });

  it("refuses to execute an item of a batch that was not approved", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant);
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 5000,
      currency: "usd",
      idempotencyKey: "e",
    });
    const { batchId } = await prepareBatch(fx.deps, tenant);
    const [item] = await fx.rows<{ id: string }>(
      sql`select id from payout_items where batch_id = ${batchId}`,
    );
    await expect(executeStripeItem(fx.deps, tenant, item!.id)).rejects.toThrow(/without approval/);
    expect(fx.stripe.requestsTo("POST /v1/transfers")).toHaveLength(0);
  });

  describe("crash injection: the process dies at a step, the run is retried", () => {
    const steps: PayoutStep[] = ["after_claim", "after_provider_accepted", "after_recording"];
    for (const step of steps) {
      it(`pays each payee exactly once with zero ledger drift when it dies ${step.replaceAll("_", " ")}`, async () => {
        const { tenant, batchId, items } = await approvedBatch([1500, 2600, 3700]);
        for (const item of items) {
          await expect(
            executeStripeItem(fx.deps, tenant, item.id, {
              failpoint: (at) => {
                if (at === step) throw new Crash(step);
              },
            }),
          ).rejects.toBeInstanceOf(Crash);
        }
        for (const item of items) await executeStripeItem(fx.deps, tenant, item.id);
        for (const item of items) await executeStripeItem(fx.deps, tenant, item.id);
        expect(fx.stripe.state.transfers).toHaveLength(3);
        expect(new Set(fx.stripe.state.transfers.map((t) => t.destination)).size).toBe(3);
        expect(await ledgerDrift(fx, tenant)).toEqual([]);
        expect(await batchStatus(batchId)).toBe("completed");
      });
    }

    it("pays once when the same item runs three times at once (a duplicated trigger, a retry racing the first)", async () => {
      const { tenant, items } = await approvedBatch([2100]);
      const results = await Promise.allSettled(
        [1, 2, 3].map(() => executeStripeItem(fx.deps, tenant, items[0]!.id)),
      );
      expect(results.every((r) => r.status === "fulfilled")).toBe(true);
      expect(fx.stripe.state.transfers).toHaveLength(1);
      expect(await ledgerDrift(fx, tenant)).toEqual([]);
    });

    it("pays once when Stripe made the transfer but its answer was lost (500), then again once more after the key expired", async () => {
      const { tenant, items } = await approvedBatch([1800]);
      fx.stripe.state.loseAnswers(1);
      await expect(executeStripeItem(fx.deps, tenant, items[0]!.id)).rejects.toMatchObject({
        retryable: true,
      });
      expect(fx.stripe.state.transfers).toHaveLength(1);
      // The retry finds the transfer by its group before creating anything (survives key expiry).
      expect(await executeStripeItem(fx.deps, tenant, items[0]!.id)).toMatchObject({ outcome: "paid" });
      expect(fx.stripe.requestsTo("GET /v1/transfers")).toHaveLength(1);
      expect(fx.stripe.state.transfers).toHaveLength(1);
      expect(await ledgerDrift(fx, tenant)).toEqual([]);
    });

    it("retries a rate-limited or unavailable Stripe without deciding the item, then pays once", async () => {
      const { tenant, items } = await approvedBatch([1800]);
      fx.stripe.fault("POST /v1/transfers", {
        status: 429,
        times: 1,
        body: { error: { type: "rate_limit_error", message: "slow down" } },
      });
      await expect(executeStripeItem(fx.deps, tenant, items[0]!.id)).rejects.toMatchObject({
        retryable: true,
        code: "rate_limited",
      });
      fx.stripe.fault("POST /v1/transfers", {
        status: 503,
        times: 1,
        body: { error: { type: "api_error", message: "down" } },
      });
      await expect(executeStripeItem(fx.deps, tenant, items[0]!.id)).rejects.toMatchObject({
        retryable: true,
      });
      expect(await executeStripeItem(fx.deps, tenant, items[0]!.id)).toMatchObject({ outcome: "paid" });
      expect(fx.stripe.state.transfers).toHaveLength(1);
    });
  });

  it("releases the reservation and notifies when Stripe refuses the account for good", async () => {
    const { tenant, batchId, items, payees } = await approvedBatch([1800, 2200]);
    const [acct] = await fx.rows<{ destination: string }>(
      sql`select destination from payout_items where id = ${items[0]!.id}`,
    );
    fx.stripe.state.disabledAccounts.add(acct!.destination);
    expect(await executeStripeItem(fx.deps, tenant, items[0]!.id)).toMatchObject({ outcome: "failed" });
    expect(await executeStripeItem(fx.deps, tenant, items[1]!.id)).toMatchObject({ outcome: "paid" });
    expect(await executeStripeItem(fx.deps, tenant, items[0]!.id)).toMatchObject({
      outcome: "already_settled",
    });
    const failedPayee = (
      await fx.rows<{ payee_id: string }>(sql`select payee_id from payout_items where id = ${items[0]!.id}`)
    )[0]!.payee_id;
    expect((await payeeBalance(fx.deps, tenant, failedPayee)).availableMinor).toBe(
      failedPayee === payees[0] ? 1800 : 2200,
    );
    const credits = await fx.rows<{ kind: string }>(
      sql`select kind from ledger_entries where item_id = ${items[0]!.id} and kind = 'release'`,
    );
    expect(credits).toHaveLength(1);
    expect(await batchStatus(batchId)).toBe("partially_failed");
    expect(fx.notices().join("\n")).toContain("insufficient_capabilities_for_transfer");
    expect(await ledgerDrift(fx, tenant)).toEqual([]);
  });

  it("the simulator keeps Stripe's idempotency rules: same key and params → same transfer, other params → idempotency error", async () => {
    const stripe = createStripeClient("sk_test_payouts", { baseUrl: fx.stripe.url });
    const params = { amount: 100, currency: "usd", destination: "acct_x" };
    const a = await stripe.transfers.create(params, { idempotencyKey: "k1" });
    const b = await stripe.transfers.create(params, { idempotencyKey: "k1" });
    expect(b.id).toBe(a.id);
    await expect(
      stripe.transfers.create({ ...params, amount: 101 }, { idempotencyKey: "k1" }),
    ).rejects.toMatchObject({
      type: "StripeIdempotencyError",
    });
    expect(fx.stripe.state.transfers).toHaveLength(1);
  });
});
