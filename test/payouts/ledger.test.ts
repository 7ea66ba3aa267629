import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { withTenant } from "../../src/db/with-tenant.ts";
import { payeeBalance } from "../../src/payouts/payee-balance.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { setPayoutSettings } from "../../src/payouts/set-payout-settings.ts";
import { upsertPayee } from "../../src/payouts/upsert-payee.ts";
import { createPayoutsFixture, type PayoutsFixture } from "./payouts-fixture.ts";

let fx: PayoutsFixture;
beforeAll(async () => {
  fx = await createPayoutsFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => fx.db.truncate());

describe("the payouts ledger", () => {
  it("records an earning once per caller key and derives the balance from the entries", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant);
    const first = await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 1250,
      currency: "USD",
      idempotencyKey: "order-1",
    });
    const again = await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 1250,
      currency: "usd",
      idempotencyKey: "order-1",
    });
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: -250,
      currency: "usd",
      idempotencyKey: "refund-1",
      kind: "adjustment",
    });
    expect(again).toEqual({ entryId: first.entryId, replayed: true });
    expect(first.replayed).toBe(false);
    const entries = await fx.rows<{ kind: string; amount_minor: string }>(
      sql`select kind, amount_minor from ledger_entries where payee_id = ${payee} order by created_at`,
    );
    expect(entries.map((e) => [e.kind, Number(e.amount_minor)])).toEqual([
      ["earning", 1250],
      ["adjustment", -250],
    ]);
    expect(await payeeBalance(fx.deps, tenant, payee)).toEqual({
      availableMinor: 1000,
      inFlightMinor: 0,
      currency: "usd",
    });
  });

  it("refuses the same key with a different amount, a wrong currency, fractions and reserved key prefixes", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant);
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 500,
      currency: "usd",
      idempotencyKey: "k",
    });
    await expect(
      recordEarning(fx.deps, tenant, {
        payeeId: payee,
        amountMinor: 501,
        currency: "usd",
        idempotencyKey: "k",
      }),
    ).rejects.toThrow(/already used/);
    await expect(
      recordEarning(fx.deps, tenant, {
        payeeId: payee,
        amountMinor: 5,
        currency: "eur",
        idempotencyKey: "k2",
      }),
    ).rejects.toThrow(/paid in USD/);
    await expect(
      recordEarning(fx.deps, tenant, {
        payeeId: payee,
        amountMinor: 1.5,
        currency: "usd",
        idempotencyKey: "k3",
      }),
    ).rejects.toThrow(/integer/);
    await expect(
      recordEarning(fx.deps, tenant, {
        payeeId: payee,
        amountMinor: -5,
        currency: "usd",
        idempotencyKey: "k4",
      }),
    ).rejects.toThrow(/positive/);
    await expect(
      recordEarning(fx.deps, tenant, {
        payeeId: payee,
        amountMinor: 5,
        currency: "usd",
        idempotencyKey: "reserve:x",
      }),
    ).rejects.toThrow(/reserved/);
    expect((await payeeBalance(fx.deps, tenant, payee)).availableMinor).toBe(500);
  });

  it("is append-only: an entry cannot be edited by anyone nor deleted by the application role", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant);
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 500,
      currency: "usd",
      idempotencyKey: "k",
    });
    await expect(fx.db.db.execute(sql`update ledger_entries set amount_minor = 5000`)).rejects.toThrow();
    await expect(
      withTenant(fx.db.db, tenant, (tx) =>
        tx.execute(sql`delete from ledger_entries where payee_id = ${payee}`),
      ),
    ).rejects.toThrow();
    expect((await payeeBalance(fx.deps, tenant, payee)).availableMinor).toBe(500);
  });

  it("keeps one tenant's payees and ledger invisible to another tenant", async () => {
    const a = await fx.tenant("A");
    const b = await fx.tenant("B");
    const payee = await fx.payee(a);
    await recordEarning(fx.deps, a, {
      payeeId: payee,
      amountMinor: 700,
      currency: "usd",
      idempotencyKey: "k",
    });
    await expect(
      recordEarning(fx.deps, b, { payeeId: payee, amountMinor: 700, currency: "usd", idempotencyKey: "k" }),
    ).rejects.toThrow(/No payee/);
    const seen = await withTenant(
      fx.db.db,
      b,
      async (tx) =>
        (await tx.execute(sql`select count(*)::int as n from ledger_entries`)) as unknown as {
          rows: { n: number }[];
        },
    );
    expect(seen.rows[0]!.n).toBe(0);
    expect((await payeeBalance(fx.deps, b, payee)).availableMinor).toBe(0);
  });

  it("validates payees against their rail and settings against the fee bounds", async () => {
    const tenant = await fx.tenant();
    const base = { externalRef: "p", name: "P", country: "US" };
    await expect(
      upsertPayee(fx.deps, tenant, { ...base, rail: "stripe_connect", currency: "usd" }),
    ).rejects.toThrow(/acct_/);
    await expect(upsertPayee(fx.deps, tenant, { ...base, rail: "paypal", currency: "usd" })).rejects.toThrow(
      /receiver/,
    );
    await expect(
      upsertPayee(fx.deps, tenant, {
        ...base,
        rail: "stripe_connect",
        currency: "jpy",
        stripeAccountId: "acct_1",
      }),
    ).rejects.toThrow(/cannot pay in JPY/);
    await expect(setPayoutSettings(fx.deps, tenant, { feeBps: 49 })).rejects.toThrow(/0.5%/);
    await expect(setPayoutSettings(fx.deps, tenant, { feeBps: 5001 })).rejects.toThrow(/50%/);
    await setPayoutSettings(fx.deps, tenant, { feeBps: 50 });
    await setPayoutSettings(fx.deps, tenant, { minimumMinor: 100 });
    const [s] = await fx.rows<{ fee_bps: number; minimum_minor: string }>(
      sql`select fee_bps, minimum_minor from payout_settings`,
    );
    expect({ fee: s!.fee_bps, min: Number(s!.minimum_minor) }).toEqual({ fee: 50, min: 100 });
    await expect(fx.db.db.execute(sql`update payout_settings set fee_bps = 6000`)).rejects.toThrow();
  });

  it("refuses reservation, release or return entries from app code", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant);
    for (const kind of ["reservation", "release", "return"]) {
      await expect(
        recordEarning(fx.deps, tenant, {
          payeeId: payee,
          amountMinor: 10,
          currency: "usd",
          idempotencyKey: `forged-${kind}`,
          kind: kind as "earning",
        }),
      ).rejects.toThrow(/only "earning" or "adjustment"/);
    }
    expect(await fx.rows(sql`select * from ledger_entries`)).toEqual([]);
  });

  it("refuses to change the currency of a payee whose ledger holds another one, keeping its balance visible", async () => {
    const tenant = await fx.tenant();
    const payee = await fx.payee(tenant, { externalRef: "creator-fx" });
    await recordEarning(fx.deps, tenant, {
      payeeId: payee,
      amountMinor: 5000,
      currency: "usd",
      idempotencyKey: "fx-1",
    });
    await expect(
      upsertPayee(fx.deps, tenant, {
        externalRef: "creator-fx",
        name: "Creator FX",
        country: "US",
        rail: "stripe_connect",
        currency: "eur",
        stripeAccountId: "acct_creatorfx",
      }),
    ).rejects.toThrow(/ledger entries in usd: its currency cannot change to eur/);
    expect(await payeeBalance(fx.deps, tenant, payee)).toMatchObject({
      availableMinor: 5000,
      currency: "usd",
    });
  });

  it("refuses a minimum payout above the per-item ceiling, which would pay nobody", async () => {
    const tenant = await fx.tenant();
    await expect(
      setPayoutSettings(fx.deps, tenant, { minimumMinor: 10_000, itemCeilingMinor: 100 }),
    ).rejects.toThrow(/minimum payout \(10000\) is above the per-item ceiling \(100\)/);
    await setPayoutSettings(fx.deps, tenant, { minimumMinor: 100, itemCeilingMinor: 10_000 });
    await expect(setPayoutSettings(fx.deps, tenant, { minimumMinor: 20_000 })).rejects.toThrow(
      /above the per-item ceiling/,
    );
  });
});
