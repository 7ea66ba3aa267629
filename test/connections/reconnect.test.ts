import { eq, sql } from "drizzle-orm";
import { beforeEach, describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections, tenants } from "../../db/schema.ts";
import { SANDBOX_TEST_KEYS } from "../../local/sandbox/sandbox-info.ts";
import { connectApiKey } from "../../src/connections/connect-api-key.ts";
import { decryptCredentials, encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { saveConnection } from "../../src/connections/save-connection.ts";
import { useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();
let tenantId: string;

beforeEach(async () => {
  const [tenant] = await fx.db.db.insert(tenants).values({ name: "Acme" }).returning();
  tenantId = tenant!.id;
});

const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;

/** A Resend connection in `status`, with a failure streak, a pending answer and a lease. */
async function troubledResend(status: "active" | "expired" | "error" | "disconnected") {
  const owner = { tenantId, provider: "resend" };
  const sealed = await encryptCredentials(fx.deps.keyRing, owner, { api_key: "re_old_key" });
  const [row] = await fx.db.db
    .insert(integrationConnections)
    .values({
      ...owner,
      ...sealed,
      status,
      tokenVersion: 4,
      lastError: "401 from /domains",
      lastErrorAt: new Date(Date.now() - 3_600_000),
      refreshFailures: 3,
      failingSince: new Date(Date.now() - 7_200_000),
      pendingCredentials: sealed.credentials,
      pendingTokenExpiresAt: new Date(),
      refreshLeaseOwner: "another-refresher",
      refreshLeaseUntil: new Date(Date.now() + 60_000),
      statusChangedAt: new Date(Date.now() - 86_400_000),
      metadata: { team: "growth" },
    })
    .returning();
  return row!;
}

const connectResend = () =>
  connectApiKey(fx.deps, { tenantId, provider: "resend", fields: { api_key: "re_valid_test_key" } });

describe("reconnecting a connection", () => {
  it.each(["expired", "error"] as const)(
    "makes a connection that was %s active with a clean slate, and tells its owner once",
    async (status) => {
      const before = await troubledResend(status);
      const { connectionId } = await connectResend();
      expect(connectionId).toBe(before.id);
      const after = await rowOf(before.id);
      expect(after).toMatchObject({
        status: "active",
        tokenVersion: 5,
        lastError: null,
        lastErrorAt: null,
        refreshFailures: 0,
        failingSince: null,
        pendingCredentials: null,
        pendingTokenExpiresAt: null,
        refreshLeaseOwner: null,
        refreshLeaseUntil: null,
        metadata: { team: "growth", connectedVia: "api_key" },
      });
      expect(Date.now() - after.statusChangedAt!.getTime()).toBeLessThan(60_000);
      expect(await decryptCredentials(fx.deps.keyRing, after, after.credentials)).toEqual({
        api_key: "re_valid_test_key",
      });
      const transitions = await fx.db.db.select().from(connectionTransitions);
      expect(transitions).toMatchObject([
        { connectionId: before.id, fromStatus: status, toStatus: "active", reason: "reconnected" },
      ]);
      expect(transitions[0]!.notifiedAt).not.toBeNull();
      expect(fx.alerts()).toEqual([expect.stringContaining(`Resend is connected again (was ${status})`)]);
    },
  );

  it.each(["active", "disconnected"] as const)(
    "records no recovery when the connection was %s",
    async (status) => {
      await troubledResend(status);
      await connectResend();
      expect(await fx.db.db.select().from(connectionTransitions)).toEqual([]);
      expect(fx.alerts()).toEqual([]);
    },
  );

  it("keeps when an active connection last changed status, and moves it when the status changes", async () => {
    const active = await troubledResend("active");
    await connectResend();
    expect((await rowOf(active.id)).statusChangedAt).toEqual(active.statusChangedAt);
    await fx.db.db.execute(sql`update integration_connections set status = 'disconnected'`);
    await connectResend();
    expect((await rowOf(active.id)).statusChangedAt!.getTime()).toBeGreaterThan(
      active.statusChangedAt!.getTime(),
    );
  });

  it("answers a first connect with no previous status, and a second with the first one's", async () => {
    const input = { tenantId, provider: "resend", credentials: { api_key: "re_a" } };
    const first = await saveConnection(fx.db.db, fx.deps.keyRing, input);
    expect(first.previousStatus).toBeNull();
    await fx.db.db.update(integrationConnections).set({ status: "expired" });
    const second = await saveConnection(fx.db.db, fx.deps.keyRing, input);
    expect(second).toEqual({ id: first.id, previousStatus: "expired" });
  });

  it("answers a tenant's first connect with no previous status even when other tenants have that provider", async () => {
    for (const name of ["Other", "Another"]) {
      const [other] = await fx.db.db.insert(tenants).values({ name }).returning();
      await saveConnection(fx.db.db, fx.deps.keyRing, {
        tenantId: other!.id,
        provider: "resend",
        credentials: { api_key: "re_other" },
      });
    }
    await fx.db.db.update(integrationConnections).set({ status: "expired" });
    const input = { tenantId, provider: "resend", credentials: { api_key: "re_a" } };
    expect((await saveConnection(fx.db.db, fx.deps.keyRing, input)).previousStatus).toBeNull();
  });

  it("stamps a new connection and a reconnect as just refreshed and updated, under the current key", async () => {
    const input = { tenantId, provider: "resend", credentials: { api_key: "re_a" } };
    const recent = (at: Date | null) => Date.now() - at!.getTime();
    const { id } = await saveConnection(fx.db.db, fx.deps.keyRing, input);
    const created = await rowOf(id);
    expect(created.keyVersion).toBe(fx.deps.keyRing.current.version);
    expect(recent(created.lastRefreshedAt)).toBeLessThan(60_000);
    expect(recent(created.statusChangedAt)).toBeLessThan(60_000);
    const longAgo = new Date(Date.now() - 86_400_000);
    await fx.db.db
      .update(integrationConnections)
      .set({ keyVersion: "v0-retired", lastRefreshedAt: longAgo, updatedAt: longAgo });
    await saveConnection(fx.db.db, fx.deps.keyRing, input);
    const after = await rowOf(id);
    expect(after.keyVersion).toBe(fx.deps.keyRing.current.version);
    expect(recent(after.lastRefreshedAt)).toBeLessThan(60_000);
    expect(recent(after.updatedAt)).toBeLessThan(60_000);
  });

  it("keeps a reconnected connection's other metadata, the new values winning, and records how it was connected", async () => {
    const before = await troubledResend("expired");
    await fx.db.db
      .update(integrationConnections)
      .set({ metadata: { team: "growth", region: "eu", connectedVia: "oauth" } })
      .where(eq(integrationConnections.id, before.id));
    await connectApiKey(fx.deps, {
      tenantId,
      provider: "resend",
      fields: { api_key: "re_valid_test_key" },
      metadata: { region: "us", connectedVia: "spoofed" },
    });
    expect((await rowOf(before.id)).metadata).toEqual({
      team: "growth",
      region: "us",
      connectedVia: "api_key",
    });
  });

  it("stores scopes, expiry and the refresh due date it derives from the catalog, on a reconnect too", async () => {
    const save = (expiresAt: Date, scopes: string[]) =>
      saveConnection(fx.db.db, fx.deps.keyRing, {
        tenantId,
        provider: "google_drive",
        credentials: { access_token: "a", refresh_token: "r" },
        expiresAt,
        scopes,
      });
    await save(new Date(Date.now() + 600_000), ["drive.file"]);
    const expiresAt = new Date(Date.now() + 3_600_000);
    const saved = await save(expiresAt, ["drive.readonly", 'a "quoted", scope']);
    const row = await rowOf(saved.id);
    expect(row.scopes).toEqual(["drive.readonly", 'a "quoted", scope']);
    expect(row.tokenExpiresAt).toEqual(expiresAt);
    // Google Drive refreshes ahead of the expiry, and after the first token's expiry.
    expect(row.refreshDueAt!.getTime()).toBeLessThan(expiresAt.getTime());
    expect(row.refreshDueAt!.getTime()).toBeGreaterThan(Date.now() + 600_000);
  });
});

describe("the fields of a key-based connection", () => {
  it("stores the required and optional fields, trimmed, and drops any other field", async () => {
    const { connectionId } = await connectApiKey(fx.deps, {
      tenantId,
      provider: "lob",
      fields: {
        api_key: `  ${SANDBOX_TEST_KEYS.lob}\n`,
        webhook_secret: " whsec_lob ",
        password: "not a Lob field",
      },
    });
    const row = await rowOf(connectionId);
    expect(await decryptCredentials(fx.deps.keyRing, row, row.credentials)).toEqual({
      api_key: SANDBOX_TEST_KEYS.lob,
      webhook_secret: "whsec_lob",
    });
  });

  it("names every missing or blank field and stores nothing", async () => {
    await expect(
      connectApiKey(fx.deps, { tenantId, provider: "yotpo", fields: { app_key: "  ", other: "x" } }),
    ).rejects.toThrow("Missing credential field(s) for Yotpo: app_key, secret_key");
    expect(await fx.db.db.select().from(integrationConnections)).toEqual([]);
  });

  it("leaves out an optional field given blank", async () => {
    const { connectionId } = await connectApiKey(fx.deps, {
      tenantId,
      provider: "lob",
      fields: { api_key: SANDBOX_TEST_KEYS.lob!, webhook_secret: "   " },
    });
    const row = await rowOf(connectionId);
    expect(Object.keys(row.credentials)).toEqual(["api_key"]);
  });

  it("connects without an optional field left out altogether, with no scopes", async () => {
    const { connectionId } = await connectApiKey(fx.deps, {
      tenantId,
      provider: "lob",
      fields: { api_key: SANDBOX_TEST_KEYS.lob! },
    });
    const row = await rowOf(connectionId);
    expect(Object.keys(row.credentials)).toEqual(["api_key"]);
    expect(row.scopes).toEqual([]);
  });

  it("refuses a tenant key for a provider that uses the platform's credentials, naming its variables", async () => {
    await expect(
      connectApiKey(fx.deps, { tenantId, provider: "mux", fields: { token_id: "a", token_secret: "b" } }),
    ).rejects.toThrow("Mux uses the platform's credentials (MUX_*), not a tenant's");
    expect(await fx.db.db.select().from(integrationConnections)).toEqual([]);
  });
});
