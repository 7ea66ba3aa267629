import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { connectionView } from "../../src/connections/connection-row.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { listConnections } from "../../src/connections/list-connections.ts";
import { ValidationError } from "../../src/errors.ts";
import { useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();

const FIRST = "00000000-0000-4000-8000-000000000001";
const SECOND = "00000000-0000-4000-8000-000000000002";
const EMPTY = "00000000-0000-4000-8000-000000000003";

async function addTenants() {
  // Created out of order, so neither insertion order nor its reverse is the listing order.
  await fx.db.db.insert(tenants).values([
    { id: SECOND, name: "Second" },
    { id: EMPTY, name: "Empty" },
    { id: FIRST, name: "First" },
  ]);
}

async function addConnection(tenantId: string, provider: string, fields: Record<string, string> = {}) {
  const sealed = await encryptCredentials(fx.deps.keyRing, { tenantId, provider }, fields);
  const [row] = await fx.db.db
    .insert(integrationConnections)
    .values({ tenantId, provider, ...sealed })
    .returning();
  return row!;
}

/** Five connections of two tenants, inserted in no particular order. */
async function seedMixed() {
  await addTenants();
  for (const [tenant, provider] of [
    [SECOND, "slack"],
    [FIRST, "slack"],
    [SECOND, "ga4"],
    [FIRST, "google_drive"],
    [FIRST, "ga4"],
  ] as const) {
    await addConnection(tenant, provider);
  }
}

const pairs = (rows: { tenantId: string; provider: string }[]) =>
  rows.map((row) => [row.tenantId, row.provider]);

describe("listing connections", () => {
  it("lists only the given tenant's connections, by provider", async () => {
    await seedMixed();
    expect(pairs(await listConnections(fx.db.db, { tenantId: FIRST }))).toEqual([
      [FIRST, "ga4"],
      [FIRST, "google_drive"],
      [FIRST, "slack"],
    ]);
    expect(pairs(await listConnections(fx.db.db, { tenantId: SECOND }))).toEqual([
      [SECOND, "ga4"],
      [SECOND, "slack"],
    ]);
    expect(await listConnections(fx.db.db, { tenantId: EMPTY })).toEqual([]);
  });

  it("lists every tenant's connections, by tenant then provider, when no tenant is given", async () => {
    await seedMixed();
    const expected = [
      [FIRST, "ga4"],
      [FIRST, "google_drive"],
      [FIRST, "slack"],
      [SECOND, "ga4"],
      [SECOND, "slack"],
    ];
    expect(pairs(await listConnections(fx.db.db))).toEqual(expected);
    expect(pairs(await listConnections(fx.db.db, { tenantId: undefined }))).toEqual(expected);
  });

  it("returns the stored rows whole", async () => {
    await addTenants();
    const row = await addConnection(FIRST, "google_drive", { access_token: "at_whole" });
    expect(await listConnections(fx.db.db, { tenantId: FIRST })).toEqual([row]);
  });

  it("refuses a tenant id that is not a UUID before reading anything", async () => {
    await expect(listConnections(fx.db.db, { tenantId: "acme" })).rejects.toBeInstanceOf(ValidationError);
  });

  it('refuses an empty tenant id rather than listing every tenant (`--tenant ""`)', async () => {
    await expect(listConnections(fx.db.db, { tenantId: "" })).rejects.toBeInstanceOf(ValidationError);
  });
});

describe("the public view of a connection", () => {
  it("shows every public field, dates as ISO strings", async () => {
    await addTenants();
    const created = await addConnection(FIRST, "google_drive", { access_token: "at_view" });
    await fx.db.db
      .update(integrationConnections)
      .set({
        status: "error",
        scopes: ["drive.readonly", "drive.file"],
        tokenExpiresAt: new Date("2030-01-02T03:04:05.678Z"),
        lastError: "google_drive answered HTTP 503",
        lastErrorAt: new Date("2030-01-01T00:00:01.000Z"),
        lastRefreshedAt: new Date("2029-12-31T23:59:59.999Z"),
        refreshFailures: 3,
        metadata: { email: "ops@acme.test", folders: 2 },
        createdAt: new Date("2029-06-01T12:00:00.000Z"),
        updatedAt: new Date("2030-01-01T00:00:02.000Z"),
      })
      .where(eq(integrationConnections.id, created.id));
    const [row] = await listConnections(fx.db.db, { tenantId: FIRST });
    expect(connectionView(row!)).toEqual({
      id: created.id,
      tenantId: FIRST,
      provider: "google_drive",
      status: "error",
      scopes: ["drive.readonly", "drive.file"],
      tokenExpiresAt: "2030-01-02T03:04:05.678Z",
      lastError: "google_drive answered HTTP 503",
      lastErrorAt: "2030-01-01T00:00:01.000Z",
      lastRefreshedAt: "2029-12-31T23:59:59.999Z",
      refreshFailures: 3,
      metadata: { email: "ops@acme.test", folders: 2 },
      createdAt: "2029-06-01T12:00:00.000Z",
      updatedAt: "2030-01-01T00:00:02.000Z",
    });
  });

  it("shows dates never set as null", async () => {
    await addTenants();
    const created = await addConnection(SECOND, "slack");
    const [row] = await listConnections(fx.db.db, { tenantId: SECOND });
    expect(connectionView(row!)).toEqual({
      id: created.id,
      tenantId: SECOND,
      provider: "slack",
      status: "active",
      scopes: [],
      tokenExpiresAt: null,
      lastError: null,
      lastErrorAt: null,
      lastRefreshedAt: null,
      refreshFailures: 0,
      metadata: {},
      createdAt: created.createdAt.toISOString(),
      updatedAt: created.updatedAt.toISOString(),
    });
  });

  it("never shows the credentials, pending credentials, key version or refresh lease", async () => {
    await addTenants();
    const created = await addConnection(FIRST, "slack", {
      access_token: "xoxe.xoxb-secret",
      refresh_token: "xoxe-1-secret",
    });
    const pending = await encryptCredentials(
      fx.deps.keyRing,
      { tenantId: FIRST, provider: "slack" },
      { refresh_token: "xoxe-1-pending" },
    );
    await fx.db.db
      .update(integrationConnections)
      .set({
        pendingCredentials: pending.credentials,
        pendingTokenExpiresAt: new Date(Date.now() + 3_600_000),
        refreshLeaseOwner: "sweep-run-7",
        refreshLeaseUntil: new Date(Date.now() + 60_000),
      })
      .where(eq(integrationConnections.id, created.id));
    const [row] = await listConnections(fx.db.db, { tenantId: FIRST });
    const shown = JSON.stringify(connectionView(row!));
    for (const hidden of [
      ...Object.values(row!.credentials),
      ...Object.values(row!.pendingCredentials!),
      "xoxe.xoxb-secret",
      "xoxe-1-secret",
      "xoxe-1-pending",
      "sweep-run-7",
    ]) {
      expect(shown).not.toContain(hidden);
    }
    expect(
      Object.keys(connectionView(row!)).filter((key) => /credential|key|lease|pending/i.test(key)),
    ).toEqual([]);
  });
});
