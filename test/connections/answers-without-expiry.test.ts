import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { integrationConnections } from "../../db/schema.ts";
import { decryptCredentials, encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { refreshConnectionToken } from "../../src/connections/refresh-connection-token.ts";
import { refreshDueTokensAcrossTenants } from "../../src/connections/refresh-due-tokens-across-tenants.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();
const DAY = 86_400_000;
/** Google's refresh tokens die after 30 days unused (the catalog's keep-alive). */
const KEEP_ALIVE_MS = 30 * DAY;

const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;

/** A due Google Drive connection whose token endpoint answers once without `expires_in`. */
async function dueConnectionAnsweringWithoutExpiry(refreshToken: string) {
  fx.google.seedToken(refreshToken);
  fx.google.fault("POST /token", {
    status: 200,
    body: { access_token: `ya29.no-expiry-${refreshToken}`, token_type: "Bearer" },
    times: 1,
  });
  return seedConnection(fx, {
    provider: "google_drive",
    accessToken: "old",
    refreshToken,
    expiresAt: new Date(Date.now() + 60_000),
  });
}

/** No expiry: the token is taken to live until revoked, refreshed only to keep its grant alive. */
async function expectNoExpiryKeptAlive(id: string, accessToken: string, before: number) {
  const row = await rowOf(id);
  expect(row.tokenExpiresAt).toBeNull();
  expect(row.refreshDueAt!.getTime()).toBeGreaterThanOrEqual(before + KEEP_ALIVE_MS);
  expect(row.refreshDueAt!.getTime()).toBeLessThanOrEqual(Date.now() + KEEP_ALIVE_MS);
  expect((await decryptCredentials(fx.deps.keyRing, row, row.credentials)).access_token).toBe(accessToken);
}

describe("a provider answer without expires_in", () => {
  it("stores no expiry and the keep-alive due date on a single refresh", async () => {
    const row = await dueConnectionAnsweringWithoutExpiry("rt_single");
    const before = Date.now();
    expect(await refreshConnectionToken(fx.deps, row)).toMatchObject({ outcome: "refreshed" });
    await expectNoExpiryKeptAlive(row.id, "ya29.no-expiry-rt_single", before);
  });

  it("stores no expiry and the keep-alive due date in the batched sweep", async () => {
    const row = await dueConnectionAnsweringWithoutExpiry("rt_sweep");
    const before = Date.now();
    expect(await refreshDueTokensAcrossTenants(fx.deps)).toMatchObject({ refreshed: 1 });
    await expectNoExpiryKeptAlive(row.id, "ya29.no-expiry-rt_sweep", before);
  });

  it("applies an interrupted refresh's recorded answer that had no expiry the same way, without calling the provider", async () => {
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "old",
      refreshToken: "rt_recorded",
      expiresAt: new Date(Date.now() + 60_000),
    });
    const pending = await encryptCredentials(fx.deps.keyRing, row, {
      access_token: "ya29.recorded",
      refresh_token: "rt_recorded",
    });
    await fx.db.db
      .update(integrationConnections)
      .set({ pendingCredentials: pending.credentials, pendingTokenExpiresAt: null })
      .where(eq(integrationConnections.id, row.id));
    const before = Date.now();
    expect(await refreshDueTokensAcrossTenants(fx.deps)).toMatchObject({ recovered: 1, refreshed: 0 });
    expect(fx.google.requestsTo("POST /token")).toEqual([]);
    await expectNoExpiryKeptAlive(row.id, "ya29.recorded", before);
  });
});
