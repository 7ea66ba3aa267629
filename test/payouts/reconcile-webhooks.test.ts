import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import type { CapabilityEvent } from "../../src/capabilities/capability.ts";
import { capabilityRegistry } from "../../src/capabilities/registry.ts";
import { approveBatch } from "../../src/payouts/approve-batch.ts";
import { executeStripeItem } from "../../src/payouts/execute-stripe-item.ts";
import { payeeBalance } from "../../src/payouts/payee-balance.ts";
import { prepareBatch } from "../../src/payouts/prepare-batch.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { submitPayPalBatch } from "../../src/payouts/submit-paypal-batch.ts";
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
  fx.paypal.payouts.items.length = 0;
  fx.slack.requests.length = 0;
});

let n = 0;
async function deliver(provider: string, type: string, payload: unknown) {
  const event: CapabilityEvent = { id: `evt-${++n}`, provider, type, tenantId: null, payload };
  const capability = capabilityRegistry.handlerFor(provider, type);
  expect(capability?.name).toBe("payouts");
  return capability!.handle(event, fx.deps, { idempotencyKey: event.id });
}

async function approved(rail: "stripe_connect" | "paypal", amount = 3000) {
  const tenant = await fx.tenant();
  const payee = await fx.payee(tenant, { rail });
  await recordEarning(fx.deps, tenant, {
    payeeId: payee,
    amountMinor: amount,
    currency: "usd",
    idempotencyKey: `e-${++n}`,
  });
  const { batchId } = await prepareBatch(fx.deps, tenant);
  await approveBatch(fx.deps, tenant, batchId!, "ops");
  const [item] = await fx.rows<{ id: string }>(sql`select id from payout_items where batch_id = ${batchId}`);
  return { tenant, payee, batchId: batchId!, itemId: item!.id };
}

const item = async (id: string) =>
  (
    await fx.rows<{ status: string; provider_ref: string | null }>(
      sql`select status, provider_ref from payout_items where id = ${id}`,
    )
  )[0]!;
const credits = async (id: string) =>
  (await fx.rows(sql`select 1 from ledger_entries where item_id = ${id} and kind in ('release', 'return')`))
    .length;

describe("reconciling payouts from provider webhooks", () => {
  it("credits a reversed Stripe transfer back to the payee once, however often the event is delivered", async () => {
    const { tenant, payee, itemId, batchId } = await approved("stripe_connect");
    const { transferId } = await executeStripeItem(fx.deps, tenant, itemId);
    const transfer = {
      id: transferId,
      object: "transfer",
      reversed: true,
      amount_reversed: 3000,
      metadata: { payout_item_id: itemId },
    };
    for (let i = 0; i < 3; i++) await deliver("stripe", "transfer.reversed", { data: { object: transfer } });
    expect(await item(itemId)).toMatchObject({ status: "returned" });
    expect(await credits(itemId)).toBe(1);
    expect((await payeeBalance(fx.deps, tenant, payee)).availableMinor).toBe(3000);
    const [batch] = await fx.rows<{ status: string }>(
      sql`select status from payout_batches where id = ${batchId}`,
    );
    expect(batch!.status).toBe("failed");
    expect(fx.notices().join("\n")).toContain("returned");
  });

  it("a reversal that arrives before the executor recorded its transfer settles the item; the re-run pays nothing more", async () => {
    const { tenant, itemId } = await approved("stripe_connect");
    await expect(
      executeStripeItem(fx.deps, tenant, itemId, {
        failpoint: (step) => {
          if (step === "after_provider_accepted") throw new Error("crash");
        },
      }),
    ).rejects.toThrow("crash");
    const [transfer] = fx.stripe.state.transfers;
    transfer!.reversed = true;
    await deliver("stripe", "transfer.reversed", {
      data: { object: { ...transfer, metadata: { payout_item_id: itemId } } },
    });
    expect(await executeStripeItem(fx.deps, tenant, itemId)).toMatchObject({ outcome: "already_settled" });
    expect(fx.stripe.state.transfers).toHaveLength(1);
    expect(await item(itemId)).toMatchObject({ status: "returned" });
    expect(await ledgerDrift(fx, tenant)).toEqual([]);
  });

  it("ends PayPal items in the same state whatever the order and number of item events", async () => {
    const orders = [
      ["SUCCEEDED", "RETURNED"],
      ["RETURNED", "SUCCEEDED"],
      ["UNCLAIMED", "RETURNED", "UNCLAIMED", "SUCCEEDED", "RETURNED"],
    ];
    for (const order of orders) {
      const { tenant, payee, itemId, batchId } = await approved("paypal");
      await submitPayPalBatch(fx.deps, tenant, batchId);
      for (const suffix of order) {
        await deliver("paypal", `PAYMENT.PAYOUTS-ITEM.${suffix}`, {
          id: `WH-${++n}`,
          event_type: `PAYMENT.PAYOUTS-ITEM.${suffix}`,
          resource: {
            payout_item_id: "PPITEM1",
            transaction_status: suffix,
            payout_item: { sender_item_id: itemId },
          },
        });
      }
      expect(await item(itemId)).toEqual({ status: "returned", provider_ref: "PPITEM1" });
      expect(await credits(itemId)).toBe(1);
      expect((await payeeBalance(fx.deps, tenant, payee)).availableMinor).toBe(3000);
    }
  });

  it("moves a claimed PayPal item from unclaimed to paid but never back", async () => {
    const { tenant, itemId, batchId } = await approved("paypal");
    await submitPayPalBatch(fx.deps, tenant, batchId);
    const send = (suffix: string) =>
      deliver("paypal", `PAYMENT.PAYOUTS-ITEM.${suffix}`, {
        resource: {
          payout_item_id: "PP2",
          transaction_status: suffix,
          payout_item: { sender_item_id: itemId },
        },
      });
    await send("UNCLAIMED");
    expect((await item(itemId)).status).toBe("unclaimed");
    await send("SUCCEEDED");
    await send("UNCLAIMED");
    expect((await item(itemId)).status).toBe("paid");
    expect(await credits(itemId)).toBe(0);
    const [batch] = await fx.rows<{ status: string }>(
      sql`select status from payout_batches where id = ${batchId}`,
    );
    expect(batch!.status).toBe("completed");
  });

  it("ignores events about items that are not ours", async () => {
    expect(await deliver("paypal", "PAYMENT.PAYOUTS-ITEM.SUCCEEDED", { resource: {} })).toEqual({
      outcome: "unknown_item",
    });
    expect(
      await deliver("stripe", "transfer.reversed", {
        data: { object: { id: "tr_unknown", reversed: true, metadata: {} } },
      }),
    ).toEqual({ outcome: "unknown_item" });
  });

  it("applies the connected account's current payouts_enabled on account.updated, in any order, and excludes a payee whose bank payout failed", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant, { stripeAccountId: "acct_flaky" });
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 5000,
      currency: "usd",
      idempotencyKey: "e1",
    });
    fx.stripe.state.disabledAccounts.add("acct_flaky");
    // A stale "enabled" event delivered after the account was disabled does not re-enable it.
    await deliver("stripe", "account.updated", {
      account: "acct_flaky",
      data: { object: { id: "acct_flaky", payouts_enabled: true } },
    });
    expect(
      (
        await fx.rows<{ payouts_enabled: boolean }>(
          sql`select payouts_enabled from payees where id = ${payee}`,
        )
      )[0]!.payouts_enabled,
    ).toBe(false);
    expect((await prepareBatch(fx.deps, tenant)).skipped).toEqual([
      { payeeId: payee, reason: "payouts_disabled" },
    ]);
    fx.stripe.state.disabledAccounts.clear();
    await deliver("stripe", "account.updated", {
      account: "acct_flaky",
      data: { object: { id: "acct_flaky", payouts_enabled: false } },
    });
    await deliver("stripe", "payout.failed", {
      account: "acct_flaky",
      data: { object: { id: "po_1", failure_code: "account_closed" } },
    });
    await deliver("stripe", "payout.failed", {
      account: "acct_flaky",
      data: { object: { id: "po_1", failure_code: "account_closed" } },
    });
    const [row] = await fx.rows<{ payouts_enabled: boolean; bank_verification: string }>(
      sql`select payouts_enabled, bank_verification from payees where id = ${payee}`,
    );
    expect(row).toEqual({ payouts_enabled: true, bank_verification: "revoked" });
    expect((await prepareBatch(fx.deps, tenant)).skipped).toEqual([
      { payeeId: payee, reason: "bank_unverified" },
    ]);
    expect(fx.notices().filter((t) => t.includes("account_closed"))).toHaveLength(1);
  });
});
