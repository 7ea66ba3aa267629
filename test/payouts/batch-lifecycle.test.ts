import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { approveBatch } from "../../src/payouts/approve-batch.ts";
import { payeeBalance } from "../../src/payouts/payee-balance.ts";
import { prepareBatch } from "../../src/payouts/prepare-batch.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { rejectBatch } from "../../src/payouts/reject-batch.ts";
import { setPayoutSettings } from "../../src/payouts/set-payout-settings.ts";
import { createPayoutsFixture, type PayoutsFixture } from "./payouts-fixture.ts";

let fx: PayoutsFixture;
beforeAll(async () => {
  fx = await createPayoutsFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await fx.db.truncate();
  fx.slack.requests.length = 0;
});

let n = 0;
const earn = (tenant: string, payeeId: string, amountMinor: number) =>
  recordEarning(fx.deps, tenant, { payeeId, amountMinor, currency: "usd", idempotencyKey: `e-${++n}` });

describe("preparing and deciding payout batches", () => {
  it("reserves each payable balance with one ledger entry per item in the batch it creates, and holds back the rest with a reason", async () => {
    const tenant = await fx.tenant();
    await setPayoutSettings(fx.deps, tenant, { minimumMinor: 1000, itemCeilingMinor: 50_000, feeBps: 1000 });
    const paid = await fx.payee(tenant);
    const pp = await fx.payee(tenant, { rail: "paypal" });
    const small = await fx.payee(tenant);
    const huge = await fx.payee(tenant);
    const unverified = await fx.payee(tenant, { ready: false });
    await earn(tenant, paid, 2500);
    await earn(tenant, pp, 1000);
    await earn(tenant, small, 999);
    await earn(tenant, huge, 50_001);
    await earn(tenant, unverified, 5000);
    const batch = await prepareBatch(fx.deps, tenant);
    expect(batch).toMatchObject({
      outcome: "prepared",
      status: "awaiting_approval",
      itemCount: 2,
      totalMinor: 3500,
    });
    expect(new Map(batch.skipped.map((s) => [s.payeeId, s.reason]))).toEqual(
      new Map([
        [small, "below_minimum"],
        [huge, "above_ceiling"],
        [unverified, "payouts_disabled"],
      ]),
    );
    const items = await fx.rows<{
      payee_id: string;
      amount_minor: string;
      fee_minor: string;
      net_minor: string;
      destination: string;
    }>(
      sql`select payee_id, amount_minor, fee_minor, net_minor, destination from payout_items where batch_id = ${batch.batchId} order by amount_minor desc`,
    );
    expect(
      items.map((i) => [i.payee_id, Number(i.amount_minor), Number(i.fee_minor), Number(i.net_minor)]),
    ).toEqual([
      [paid, 2500, 250, 2250],
      [pp, 1000, 100, 900],
    ]);
    expect(items[0]!.destination).toMatch(/^acct_/);
    expect((await payeeBalance(fx.deps, tenant, paid)).availableMinor).toBe(0);
    expect((await payeeBalance(fx.deps, tenant, small)).availableMinor).toBe(999);
    expect(fx.notices().join("\n")).toContain(
      `Payout batch ${batch.batchId} waits for approval: 2 payees, 35.00 USD`,
    );
  });

  it("never reserves the same money twice: a second preparation finds the open batch, and concurrent preparations make one batch", async () => {
    const tenant = await fx.tenant();
    const payees = await Promise.all([1, 2, 3].map(() => fx.payee(tenant)));
    for (const p of payees) await earn(tenant, p, 5000);
    const results = await Promise.all([1, 2, 3, 4].map(() => prepareBatch(fx.deps, tenant)));
    expect(results.filter((r) => r.outcome === "prepared")).toHaveLength(1);
    expect(results.filter((r) => r.outcome === "open_batch_exists")).toHaveLength(3);
    const [counts] = await fx.rows<{ batches: number; items: number; reservations: number }>(sql`select
      (select count(*)::int from payout_batches) as batches, (select count(*)::int from payout_items) as items,
      (select count(*)::int from ledger_entries where kind = 'reservation') as reservations`);
    expect(counts).toEqual({ batches: 1, items: 3, reservations: 3 });
  });

  it("records who approved and when, and refuses a second approval or a rejection afterwards", async () => {
    const tenant = await fx.tenant();
    await earn(tenant, await fx.payee(tenant), 5000);
    const { batchId } = await prepareBatch(fx.deps, tenant);
    const approved = await approveBatch(fx.deps, tenant, batchId!, "ops@acme.test");
    await expect(approveBatch(fx.deps, tenant, batchId!, "someone-else")).rejects.toThrow(
      /not awaiting approval/,
    );
    await expect(rejectBatch(fx.deps, tenant, batchId!, "someone-else")).rejects.toThrow(
      /not awaiting approval/,
    );
    const [row] = await fx.rows<{ decision: string; actor: string; status: string }>(
      sql`select a.decision, a.actor, b.status from payout_approvals a join payout_batches b on b.id = a.batch_id`,
    );
    expect(row).toEqual({ decision: "approved", actor: "ops@acme.test", status: "approved" });
    expect(approved.approvedAt).toBeInstanceOf(Date);
  });

  it("rejection cancels the batch and releases every reservation, so the money is available again", async () => {
    const tenant = await fx.tenant();
    const a = await fx.payee(tenant);
    const b = await fx.payee(tenant, { rail: "paypal" });
    await earn(tenant, a, 4000);
    await earn(tenant, b, 3000);
    const { batchId } = await prepareBatch(fx.deps, tenant);
    expect(await rejectBatch(fx.deps, tenant, batchId!, "cfo@acme.test", "wrong week")).toEqual({
      batchId,
      released: 2,
    });
    await expect(rejectBatch(fx.deps, tenant, batchId!, "cfo@acme.test")).rejects.toThrow(
      /not awaiting approval/,
    );
    expect((await payeeBalance(fx.deps, tenant, a)).availableMinor).toBe(4000);
    expect((await payeeBalance(fx.deps, tenant, b)).availableMinor).toBe(3000);
    const [batch] = await fx.rows<{ status: string }>(sql`select status from payout_batches`);
    expect(batch!.status).toBe("cancelled");
    const next = await prepareBatch(fx.deps, tenant);
    expect(next).toMatchObject({ outcome: "prepared", totalMinor: 7000 });
  });

  it("approves by policy when the total is under the tenant's threshold, and holds payees of a disconnected or errored rail", async () => {
    const tenant = await fx.tenant();
    await setPayoutSettings(fx.deps, tenant, { approvalAlways: false, approvalAboveMinor: 10_000 });
    const s = await fx.payee(tenant);
    const p = await fx.payee(tenant, { rail: "paypal" });
    await earn(tenant, s, 5000);
    await earn(tenant, p, 5000);
    await fx.db.db.execute(
      sql`insert into integration_connections (tenant_id, provider, status) values (${tenant}, 'paypal', 'error')`,
    );
    const batch = await prepareBatch(fx.deps, tenant);
    expect(batch).toMatchObject({
      outcome: "prepared",
      status: "approved",
      itemCount: 1,
      skipped: [{ payeeId: p, reason: "connection_error" }],
    });
    expect(fx.notices()).toEqual([]);
  });

  it("asks for approval when the total is above the threshold, and pays nothing when nobody has enough", async () => {
    const tenant = await fx.tenant();
    await setPayoutSettings(fx.deps, tenant, { approvalAlways: false, approvalAboveMinor: 4_999 });
    expect(await prepareBatch(fx.deps, tenant)).toMatchObject({ outcome: "nothing_to_pay", itemCount: 0 });
    await earn(tenant, await fx.payee(tenant), 5000);
    expect(await prepareBatch(fx.deps, tenant)).toMatchObject({
      outcome: "prepared",
      status: "awaiting_approval",
    });
  });
});
