import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections } from "../../db/schema.ts";
import { capabilityRegistry } from "../../src/capabilities/registry.ts";
import { linkExternalAccount } from "../../src/connections/link-external-account.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";
import { recordWebhookEvent } from "../../src/inbox/record-webhook-event.ts";
import {
  type ConnectionFixture,
  createConnectionFixture,
  seedConnection,
} from "../helpers/connection-fixture.ts";

let fx: ConnectionFixture;
beforeAll(async () => {
  fx = await createConnectionFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => fx.db.truncate());

async function linked(provider: "stripe_connect" | "plaid", accountId: string) {
  const row = await seedConnection(fx, {
    provider,
    accessToken: "secret-token",
    expiresAt: new Date(Date.now() + 3_600_000),
  });
  await linkExternalAccount(fx.db.db, { provider, accountId, tenantId: row.tenantId, connectionId: row.id });
  return row;
}

async function deliver(provider: string, type: string, body: Record<string, unknown>, key: string) {
  const json = JSON.stringify(body);
  const { id } = await recordWebhookEvent(fx.db.db, {
    provider,
    dedupeKey: key,
    tenantId: null,
    type,
    body: new TextEncoder().encode(json),
    json,
  });
  return (replay = false) => processWebhookEvent(fx.deps, capabilityRegistry, id, { replay });
}

const connection = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;

describe("the connections capability", () => {
  it("disconnects a Stripe Connect account that deauthorized the platform, wipes its tokens and alerts once", async () => {
    const row = await linked("stripe_connect", "acct_gone");
    const process = await deliver(
      "stripe",
      "account.application.deauthorized",
      { id: "evt_1", type: "account.application.deauthorized", account: "acct_gone" },
      "evt_1",
    );
    expect(await process()).toMatchObject({
      status: "processed",
      capability: "connections",
      outcome: { outcome: "transitioned" },
    });
    const after = await connection(row.id);
    expect(after).toMatchObject({ status: "disconnected", credentials: {} });
    expect(fx.alerts()).toEqual([
      expect.stringMatching(/Stripe Connect was disconnected \(access revoked in Stripe/),
    ]);
    expect(await process(true)).toMatchObject({ status: "processed", outcome: { outcome: "unchanged" } });
    expect(fx.alerts()).toHaveLength(1);
  });

  it("marks a Plaid Item needing a new login expired, then active again when Plaid says it was repaired", async () => {
    const row = await linked("plaid", "item_1");
    const loginRequired = await deliver(
      "plaid",
      "ITEM.ERROR",
      {
        webhook_type: "ITEM",
        webhook_code: "ERROR",
        item_id: "item_1",
        error: { error_code: "ITEM_LOGIN_REQUIRED" },
      },
      "item_1:a",
    );
    expect(await loginRequired()).toMatchObject({ outcome: { outcome: "transitioned" } });
    expect(await connection(row.id)).toMatchObject({
      status: "expired",
      lastError: "Plaid ERROR (ITEM_LOGIN_REQUIRED)",
    });
    const repaired = await deliver(
      "plaid",
      "ITEM.LOGIN_REPAIRED",
      { webhook_type: "ITEM", webhook_code: "LOGIN_REPAIRED", item_id: "item_1" },
      "item_1:b",
    );
    expect(await repaired()).toMatchObject({ outcome: { outcome: "transitioned" } });
    expect((await connection(row.id)).status).toBe("active");
    const transitions = await fx.db.db
      .select()
      .from(connectionTransitions)
      .where(eq(connectionTransitions.connectionId, row.id));
    expect(transitions.map((t) => `${t.fromStatus}->${t.toStatus}`)).toEqual([
      "active->expired",
      "expired->active",
    ]);
  });

  it("notes a pending Plaid expiration on the connection without changing its status", async () => {
    const row = await linked("plaid", "item_2");
    const pending = await deliver(
      "plaid",
      "ITEM.PENDING_EXPIRATION",
      {
        webhook_type: "ITEM",
        webhook_code: "PENDING_EXPIRATION",
        item_id: "item_2",
        consent_expiration_time: "2027-01-01T00:00:00Z",
      },
      "item_2:a",
    );
    expect(await pending()).toMatchObject({ outcome: { outcome: "noted" } });
    const after = await connection(row.id);
    expect(after.status).toBe("active");
    expect(after.metadata).toMatchObject({
      plaidPending: { code: "PENDING_EXPIRATION", at: "2027-01-01T00:00:00Z" },
    });
  });

  it("processes an event for an account no connection is linked to without touching any connection", async () => {
    const row = await linked("plaid", "item_known");
    const stray = await deliver(
      "plaid",
      "ITEM.USER_PERMISSION_REVOKED",
      { webhook_type: "ITEM", webhook_code: "USER_PERMISSION_REVOKED", item_id: "item_unknown" },
      "item_unknown:a",
    );
    expect(await stray()).toMatchObject({ status: "processed", outcome: { outcome: "unknown_account" } });
    expect((await connection(row.id)).status).toBe("active");
  });
});
