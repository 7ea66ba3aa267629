import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { approveBatch } from "../../src/payouts/approve-batch.ts";
import { payeeBalance } from "../../src/payouts/payee-balance.ts";
import type { PayoutStep } from "../../src/payouts/payout-failpoint.ts";
import { pollPayPalBatch } from "../../src/payouts/poll-paypal-batch.ts";
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
  fx.paypal.payouts.items.length = 0;
  fx.paypal.payouts.pollsUntilSettled = 1;
  fx.paypal.requests.length = 0;
  fx.paypal.clearFaults();
  fx.slack.requests.length = 0;
});

class Crash extends Error {}
let n = 0;

async function approvedBatch(receivers: (string | undefined)[], amount = 2500) {
  const tenant = await fx.tenant();
  const payees: string[] = [];
  for (const receiver of receivers) {
    const payee = await fx.payee(tenant, {
      rail: "paypal",
      ...(receiver ? { paypalReceiver: receiver } : {}),
    });
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
  return { tenant, batchId: batchId!, payees };
}

const statuses = async (batchId: string) =>
  (
    await fx.rows<{ status: string }>(
      sql`select status from payout_items where batch_id = ${batchId} order by status`,
    )
  ).map((r) => r.status);
const batchStatus = async (batchId: string) =>
  (await fx.rows<{ status: string }>(sql`select status from payout_batches where id = ${batchId}`))[0]!
    .status;

describe("paying PayPal items", () => {
  it("sends nothing through a PayPal connection that broke after approval, and releases every item", async () => {
    const { tenant, batchId } = await approvedBatch([undefined, undefined]);
    await fx.db.db.execute(sql`insert into integration_connections (tenant_id, provider, status)
      values (${tenant}, 'paypal', 'error')`);
    expect(await submitPayPalBatch(fx.deps, tenant, batchId)).toEqual({ paypalBatchId: null, submitted: 0 });
    expect(fx.paypal.requestsTo("POST /v1/payments/payouts")).toHaveLength(0);
    expect(await statuses(batchId)).toEqual(["failed", "failed"]);
    expect(await batchStatus(batchId)).toBe("failed");
    expect(await ledgerDrift(fx, tenant)).toEqual([]);
  });

  it("sends one PayPal batch keyed by our batch id, polls until the items settle, and completes the batch", async () => {
    const { tenant, batchId } = await approvedBatch([
      undefined,
      undefined,
      "someone-unregistered@example.com",
    ]);
    const submitted = await submitPayPalBatch(fx.deps, tenant, batchId);
    expect(submitted.submitted).toBe(3);
    const [post] = fx.paypal.requestsTo("POST /v1/payments/payouts");
    const body = JSON.parse(post!.body);
    expect(body.sender_batch_header.sender_batch_id).toBe(batchId);
    expect(body.items[0].amount).toEqual({ value: "25.00", currency: "USD" });
    expect(await pollPayPalBatch(fx.deps, tenant, batchId)).toMatchObject({
      settled: false,
      paypalStatus: "PROCESSING",
    });
    expect(await statuses(batchId)).toEqual(["submitted", "submitted", "submitted"]);
    expect(await pollPayPalBatch(fx.deps, tenant, batchId)).toMatchObject({ settled: true, moved: 3 });
    expect(await statuses(batchId)).toEqual(["paid", "paid", "unclaimed"]);
    expect(await batchStatus(batchId)).toBe("completed");
    expect(await pollPayPalBatch(fx.deps, tenant, batchId)).toMatchObject({ settled: true, moved: 0 });
    expect(await ledgerDrift(fx, tenant)).toEqual([]);
  });

  it("releases failed and blocked items with one crediting entry each, and notifies", async () => {
    const { tenant, batchId, payees } = await approvedBatch([
      "will-fail@example.com",
      "blocked@example.com",
      undefined,
    ]);
    await submitPayPalBatch(fx.deps, tenant, batchId);
    fx.paypal.payouts.pollsUntilSettled = 0;
    await pollPayPalBatch(fx.deps, tenant, batchId);
    await pollPayPalBatch(fx.deps, tenant, batchId);
    expect(await statuses(batchId)).toEqual(["failed", "failed", "paid"]);
    expect((await payeeBalance(fx.deps, tenant, payees[0]!)).availableMinor).toBe(2500);
    expect((await payeeBalance(fx.deps, tenant, payees[2]!)).availableMinor).toBe(0);
    expect(await fx.rows(sql`select 1 from ledger_entries where kind = 'release'`)).toHaveLength(2);
    expect(await batchStatus(batchId)).toBe("partially_failed");
    expect(fx.notices().join("\n")).toContain("RECEIVER_ACCOUNT_LOCKED");
    expect(await ledgerDrift(fx, tenant)).toEqual([]);
  });

  it("refuses to submit a batch still awaiting approval", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant, { rail: "paypal" });
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 5000,
      currency: "usd",
      idempotencyKey: "e",
    });
    const { batchId } = await prepareBatch(fx.deps, tenant);
    await expect(submitPayPalBatch(fx.deps, tenant, batchId!)).rejects.toThrow(/without approval/);
    expect(fx.paypal.requestsTo("POST /v1/payments/payouts")).toHaveLength(0);
  });

  describe("crash injection: the process dies at a step, the run is retried", () => {
    const steps: PayoutStep[] = ["after_claim", "after_provider_accepted", "after_recording"];
    for (const step of steps) {
      it(`pays each payee exactly once with zero ledger drift when it dies ${step.replaceAll("_", " ")}`, async () => {
        const { tenant, batchId } = await approvedBatch([undefined, undefined, undefined]);
        const crash = (at: PayoutStep) => {
          if (at === step) throw new Crash(step);
        };
        await expect(
          submitPayPalBatch(fx.deps, tenant, batchId, { failpoint: crash }),
        ).rejects.toBeInstanceOf(Crash);
        await submitPayPalBatch(fx.deps, tenant, batchId);
        await submitPayPalBatch(fx.deps, tenant, batchId);
        fx.paypal.payouts.pollsUntilSettled = 0;
        expect(await pollPayPalBatch(fx.deps, tenant, batchId)).toMatchObject({ settled: true });
        expect(fx.paypal.payouts.items).toHaveLength(3);
        expect(await statuses(batchId)).toEqual(["paid", "paid", "paid"]);
        expect(await ledgerDrift(fx, tenant)).toEqual([]);
      });
    }

    it("sends one PayPal batch when the batch is executed three times at once", async () => {
      const { tenant, batchId } = await approvedBatch([undefined, undefined]);
      await Promise.all([1, 2, 3].map(() => submitPayPalBatch(fx.deps, tenant, batchId)));
      expect(fx.paypal.payouts.items).toHaveLength(2);
      fx.paypal.payouts.pollsUntilSettled = 0;
      expect(await pollPayPalBatch(fx.deps, tenant, batchId)).toMatchObject({ settled: true });
      expect(await ledgerDrift(fx, tenant)).toEqual([]);
    });

    it("adopts the original PayPal batch when PayPal accepted it but the answer was lost", async () => {
      const { tenant, batchId } = await approvedBatch([undefined, undefined]);
      fx.paypal.payouts.loseAnswers(1);
      await expect(submitPayPalBatch(fx.deps, tenant, batchId)).rejects.toMatchObject({ retryable: true });
      const again = await submitPayPalBatch(fx.deps, tenant, batchId);
      expect(again.paypalBatchId).toBe(fx.paypal.payouts.items[0]!.payout_batch_id);
      expect(fx.paypal.requestsTo("POST /v1/payments/payouts")).toHaveLength(2);
      fx.paypal.payouts.pollsUntilSettled = 0;
      await pollPayPalBatch(fx.deps, tenant, batchId);
      expect(fx.paypal.payouts.items).toHaveLength(2);
      expect(await ledgerDrift(fx, tenant)).toEqual([]);
    });
  });

  it("releases every item when PayPal refuses a first submission for good, but only flags them when an earlier attempt may have landed", async () => {
    const first = await approvedBatch([undefined]);
    fx.paypal.fault("POST /v1/payments/payouts", {
      status: 400,
      times: 1,
      body: { name: "VALIDATION_ERROR", message: "bad" },
    });
    await submitPayPalBatch(fx.deps, first.tenant, first.batchId);
    expect(await statuses(first.batchId)).toEqual(["failed"]);
    expect((await payeeBalance(fx.deps, first.tenant, first.payees[0]!)).availableMinor).toBe(2500);

    const second = await approvedBatch([undefined]);
    fx.paypal.fault("POST /v1/payments/payouts", { status: 503, times: 1 });
    await expect(submitPayPalBatch(fx.deps, second.tenant, second.batchId)).rejects.toMatchObject({
      retryable: true,
    });
    fx.paypal.fault("POST /v1/payments/payouts", {
      status: 400,
      times: 1,
      body: { name: "VALIDATION_ERROR", message: "bad" },
    });
    await submitPayPalBatch(fx.deps, second.tenant, second.batchId);
    expect(await statuses(second.batchId)).toEqual(["needs_review"]);
    expect((await payeeBalance(fx.deps, second.tenant, second.payees[0]!)).availableMinor).toBe(0);
  });
});
