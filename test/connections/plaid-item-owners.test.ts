import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { integrationConnections, payeeBankLinks, payees } from "../../db/schema.ts";
import type { CapabilityEvent } from "../../src/capabilities/capability.ts";
import { connectionsCapability } from "../../src/connections/capability.ts";
import { linkExternalAccount } from "../../src/connections/link-external-account.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

// One Plaid ITEM route, two kinds of owner: a tenant's Plaid connection, else a payee's bank.
const fx = useConnectionFixture();

const itemEvent = (itemId: string, code = "ERROR"): CapabilityEvent => ({
  id: `evt-${itemId}-${code}`,
  provider: "plaid",
  type: `ITEM.${code}`,
  tenantId: null,
  payload: { webhook_type: "ITEM", webhook_code: code, item_id: itemId, error: { error_code: "INTERNAL" } },
});

const handle = (event: CapabilityEvent) =>
  connectionsCapability.handle(event, fx.deps, { idempotencyKey: event.id });

/** A payee whose verified bank is the Plaid Item `itemId`. */
async function payeeBank(tenantId: string, itemId: string) {
  const [payee] = await fx.db.db
    .insert(payees)
    .values({
      tenantId,
      externalRef: `creator-${itemId}`,
      name: "Ada",
      country: "US",
      rail: "stripe_connect",
      currency: "usd",
      bankVerification: "verified",
    })
    .returning();
  await fx.db.db
    .insert(payeeBankLinks)
    .values({ payeeId: payee!.id, tenantId, plaidItemId: itemId, accessToken: "sealed", keyVersion: "k1" });
  return payee!.id;
}

describe("a Plaid ITEM event's owner", () => {
  it("is the tenant's connection when one is linked to the Item, leaving payees alone", async () => {
    const row = await seedConnection(fx, {
      provider: "plaid",
      accessToken: "access-sandbox",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await linkExternalAccount(fx.db.db, {
      provider: "plaid",
      accountId: "item_conn",
      tenantId: row.tenantId,
      connectionId: row.id,
    });
    const payee = await payeeBank(row.tenantId, "item_conn");
    expect(await handle(itemEvent("item_conn"))).toEqual({ outcome: "transitioned" });
    const [after] = await fx.db.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, row.id));
    expect(after!.status).toBe("error");
    const [bank] = await fx.db.db.select().from(payees).where(eq(payees.id, payee));
    expect(bank!.bankVerification).toBe("verified");
  });

  it("is the payee's bank when no connection is linked to the Item", async () => {
    const row = await seedConnection(fx, {
      provider: "plaid",
      accessToken: "access-sandbox",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const payee = await payeeBank(row.tenantId, "item_payee");
    expect(await handle(itemEvent("item_payee"))).toEqual({ outcome: "unverified", payeeBank: true });
    const [bank] = await fx.db.db.select().from(payees).where(eq(payees.id, payee));
    expect(bank!.bankVerification).not.toBe("verified");
    expect(await handle(itemEvent("item_payee", "LOGIN_REPAIRED"))).toEqual({
      outcome: "unchanged",
      payeeBank: true,
    });
  });

  it("is nobody's for an Item neither a connection nor a payee holds: the connection answer stands", async () => {
    expect(await handle(itemEvent("item_nobody"))).toEqual({ outcome: "unknown_account" });
  });
});
