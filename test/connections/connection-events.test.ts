import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections } from "../../db/schema.ts";
import { capabilityRegistry } from "../../src/capabilities/registry.ts";
import { linkExternalAccount } from "../../src/connections/link-external-account.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";
import { recordWebhookEvent } from "../../src/inbox/record-webhook-event.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();

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
    expect(after.status).toBe("disconnected");
    expect(after.credentials).toEqual({});
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

  it.each([
    [
      "ERROR",
      "item_login",
      { error_code: "INTERNAL_SERVER_ERROR" },
      "active",
      "error",
      "Plaid ERROR (INTERNAL_SERVER_ERROR)",
    ],
    [
      "ERROR",
      "item_expired",
      { error_code: "ITEM_LOGIN_REQUIRED" },
      "error",
      "expired",
      "Plaid ERROR (ITEM_LOGIN_REQUIRED)",
    ],
    ["LOGIN_REPAIRED", "item_repair", null, "error", "active", "Plaid LOGIN_REPAIRED"],
    [
      "USER_PERMISSION_REVOKED",
      "item_perm",
      null,
      "expired",
      "disconnected",
      "Plaid USER_PERMISSION_REVOKED",
    ],
    ["USER_ACCOUNT_REVOKED", "item_acct", null, "error", "disconnected", "Plaid USER_ACCOUNT_REVOKED"],
    [
      "USER_PERMISSION_REVOKED",
      "item_perm_active",
      null,
      "active",
      "disconnected",
      "Plaid USER_PERMISSION_REVOKED",
    ],
    [
      "USER_PERMISSION_REVOKED",
      "item_perm_error",
      null,
      "error",
      "disconnected",
      "Plaid USER_PERMISSION_REVOKED",
    ],
    [
      "USER_ACCOUNT_REVOKED",
      "item_acct_active",
      null,
      "active",
      "disconnected",
      "Plaid USER_ACCOUNT_REVOKED",
    ],
    [
      "USER_ACCOUNT_REVOKED",
      "item_acct_expired",
      null,
      "expired",
      "disconnected",
      "Plaid USER_ACCOUNT_REVOKED",
    ],
  ] as const)(
    "moves a Plaid Item's connection on %s (%s) from %s… to the right status with its reason",
    async (code, item, error, from, to, reason) => {
      const row = await linked("plaid", item);
      await fx.db.db
        .update(integrationConnections)
        .set({ status: from })
        .where(eq(integrationConnections.id, row.id));
      const process = await deliver(
        "plaid",
        `ITEM.${code}`,
        { webhook_code: code, item_id: item, error },
        `${item}:a`,
      );
      expect(await process()).toMatchObject({ outcome: { outcome: "transitioned" } });
      const after = await connection(row.id);
      expect(after.status).toBe(to);
      // Only a revoked Item loses its tokens.
      expect(Object.keys(after.credentials).length > 0).toBe(to !== "disconnected");
      const [transition] = await fx.db.db
        .select()
        .from(connectionTransitions)
        .where(eq(connectionTransitions.connectionId, row.id));
      expect(transition).toMatchObject({
        fromStatus: from,
        toStatus: to,
        reason,
        notifiedAt: expect.any(Date),
      });
    },
  );

  it.each([
    ["ERROR", "disconnected", null],
    ["ERROR", "error", null],
    // An Item waiting for its user to log in again stays expired on a later, other error.
    ["ERROR", "expired", null],
    ["ERROR", "disconnected", { error_code: "ITEM_LOGIN_REQUIRED" }],
    ["LOGIN_REPAIRED", "active", null],
    ["LOGIN_REPAIRED", "disconnected", null],
    ["USER_ACCOUNT_REVOKED", "disconnected", null],
  ] as const)(
    "leaves a Plaid Item's connection as it is on %s when it is %s (error %o)",
    async (code, status, error) => {
      const row = await linked("plaid", "item_same");
      await fx.db.db
        .update(integrationConnections)
        .set({ status })
        .where(eq(integrationConnections.id, row.id));
      const process = await deliver(
        "plaid",
        `ITEM.${code}`,
        { webhook_code: code, item_id: "item_same", error },
        "item_same:a",
      );
      expect(await process()).toMatchObject({ outcome: { outcome: "unchanged" } });
      expect(await connection(row.id)).toMatchObject({ status, lastError: null });
      expect(await fx.db.db.select().from(connectionTransitions)).toEqual([]);
      expect(fx.alerts()).toEqual([]);
    },
  );

  it("leaves the connection as it is when a Plaid ITEM event's body has no webhook_code", async () => {
    const row = await linked("plaid", "item_blank");
    const process = await deliver("plaid", "ITEM.ERROR", { item_id: "item_blank" }, "item_blank:a");
    expect(await process()).toMatchObject({ outcome: { outcome: "unchanged" } });
    expect(await connection(row.id)).toMatchObject({ status: "active", lastError: null });
  });

  it("notes a pending Plaid disconnect with its time, keeping the connection's other metadata", async () => {
    const row = await linked("plaid", "item_3");
    await fx.db.db
      .update(integrationConnections)
      .set({ metadata: { institution: "First Platypus" } })
      .where(eq(integrationConnections.id, row.id));
    const pending = await deliver(
      "plaid",
      "ITEM.PENDING_DISCONNECT",
      { webhook_code: "PENDING_DISCONNECT", item_id: "item_3", disconnect_time: "2027-02-01T00:00:00Z" },
      "item_3:a",
    );
    expect(await pending()).toMatchObject({ outcome: { outcome: "noted" } });
    expect((await connection(row.id)).metadata).toEqual({
      institution: "First Platypus",
      plaidPending: { code: "PENDING_DISCONNECT", at: "2027-02-01T00:00:00Z" },
    });
  });

  it("disconnects a Stripe Connect account that was already expired or errored", async () => {
    for (const [status, account] of [
      ["expired", "acct_expired"],
      ["error", "acct_error"],
    ] as const) {
      const row = await linked("stripe_connect", account);
      await fx.db.db
        .update(integrationConnections)
        .set({ status })
        .where(eq(integrationConnections.id, row.id));
      const process = await deliver(
        "stripe",
        "account.application.deauthorized",
        { id: `evt_${account}`, type: "account.application.deauthorized", account },
        `evt_${account}`,
      );
      expect(await process()).toMatchObject({ outcome: { outcome: "transitioned" } });
      expect(await connection(row.id)).toMatchObject({ status: "disconnected", credentials: {} });
    }
  });

  it("ignores a Stripe deauthorization for an unlinked account or one without an account id", async () => {
    const row = await linked("stripe_connect", "acct_kept");
    for (const [account, key] of [
      ["acct_other", "evt_2"],
      [undefined, "evt_3"],
      [{ id: "acct_kept" }, "evt_4"],
    ] as const) {
      const process = await deliver(
        "stripe",
        "account.application.deauthorized",
        { id: key, type: "account.application.deauthorized", ...(account ? { account } : {}) },
        key,
      );
      expect(await process()).toMatchObject({ status: "processed", outcome: { outcome: "unknown_account" } });
    }
    expect(await connection(row.id)).toMatchObject({ status: "active" });
    expect(fx.alerts()).toEqual([]);
  });
});
