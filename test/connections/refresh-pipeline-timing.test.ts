import { eq, inArray } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections, tenants } from "../../db/schema.ts";
import { decryptCredentials, encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { refreshDueTokensAcrossTenants } from "../../src/connections/refresh-due-tokens-across-tenants.ts";
import { refreshDueAt } from "../../src/connections/refresh-schedule.ts";
import { keyVersionOf } from "../../src/crypto/envelope.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { findProvider } from "../../src/providers/catalog.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";
import { waitUntil } from "../helpers/wait-until.ts";

const fx = useConnectionFixture();

/** One call at a time to Google, so the order of answers (and of write-backs) is fixed. */
const oneAtATime = () => ({ ...fx.deps, env: { ...fx.deps.env, GOOGLE_DRIVE_CONCURRENCY_LIMIT: "1" } });
const rowsOf = (ids: string[]) =>
  fx.db.db.select().from(integrationConnections).where(inArray(integrationConnections.id, ids));
type Row = typeof integrationConnections.$inferSelect;
const rowOf = async (id: string) => (await rowsOf([id]))[0]!;

/**
 * Google Drive connections due now, one tenant each, due one second apart (claimed in that order),
 * with refresh tokens `rt_<name>` (seeded at the simulator unless the name starts with `dead`).
 */
async function seedDue(names: string[], keyRing = fx.deps.keyRing) {
  const out: (typeof integrationConnections.$inferSelect)[] = [];
  for (const [i, name] of names.entries()) {
    const [tenant] = await fx.db.db.insert(tenants).values({ name }).returning();
    if (!name.startsWith("dead")) fx.google.seedToken(`rt_${name}`);
    const owner = { tenantId: tenant!.id, provider: "google_drive" };
    const sealed = await encryptCredentials(keyRing, owner, {
      access_token: `at_${name}`,
      refresh_token: `rt_${name}`,
    });
    const expiresAt = new Date(Date.now() + 10 * 60_000 + i * 1000);
    const [row] = await fx.db.db
      .insert(integrationConnections)
      .values({
        ...owner,
        ...sealed,
        tokenExpiresAt: expiresAt,
        refreshDueAt: new Date(Date.now() - 60_000 + i * 1000),
      })
      .returning();
    out.push(row!);
  }
  return out;
}

describe("the batched refresh pipeline's write-backs", () => {
  it("writes answers in batches of writeBatchSize: 4 answers, batches of 2, one claim and one release are 4 statements", async () => {
    await seedDue(["a", "b", "c", "d"]);
    const summary = await refreshDueTokensAcrossTenants(oneAtATime(), {
      writeBatchSize: 2,
      lingerMs: 60_000,
    });
    expect(summary).toMatchObject({ claimed: 4, refreshed: 4, released: 0, statements: 4 });
  });

  it("claims the next chunk only as the queue runs low: 4 due rows in claims of 2 take 3 claims", async () => {
    await seedDue(["a", "b", "c", "d"]);
    fx.google.setLatency(400);
    const claims: number[] = [];
    const summary = await refreshDueTokensAcrossTenants(oneAtATime(), {
      claimSize: 2,
      writeBatchSize: 2,
      lingerMs: 60_000,
      onProgress: () => void claims.push(Date.now()),
    });
    // Claims of 2, 2 and 0 rows, two write-backs, the release.
    expect(summary).toMatchObject({ claimed: 4, refreshed: 4, statements: 6 });
    // The second claim waits until the first chunk's second row has started (half a claim left
    // queued): after the first call's 400 ms answer, not straight after the first claim.
    const firstCall = fx.google.requestsTo("POST /token")[0]!.at;
    expect(claims[1]! - firstCall).toBeGreaterThanOrEqual(350);
  });

  it("counts a provider outage as failed (still active) and a long outage of an errored row as errored", async () => {
    const [errored, down] = await seedDue(["errored", "down"]);
    await fx.db.db
      .update(integrationConnections)
      .set({ status: "error", refreshFailures: 5, failingSince: new Date(Date.now() - 3 * 86_400_000) })
      .where(eq(integrationConnections.id, errored!.id));
    fx.google.fault("POST /token", { status: 503 });
    const summary = await refreshDueTokensAcrossTenants(oneAtATime(), {
      writeBatchSize: 2,
      lingerMs: 60_000,
    });
    expect(summary).toMatchObject({ claimed: 2, refreshed: 0, expired: 0, errored: 1, failed: 1 });
    expect(await rowOf(errored!.id)).toMatchObject({ status: "error", refreshFailures: 6 });
    expect(await rowOf(down!.id)).toMatchObject({ status: "active", refreshFailures: 1 });
    // One signal batch of two, the claim, the release.
    expect(summary.statements).toBe(3);
  });

  /**
   * Two connections refreshed side by side; whichever call reaches the provider first answers
   * 5 s late. The other's outcome (answered at once) must be written soon after lingerMs (20 ms),
   * long before that call returns; the bound of 2 s leaves room for a loaded machine.
   */
  async function writtenWhileAnotherCallIsOut(names: string[], written: (row: Row) => boolean) {
    const rows = await seedDue(names);
    fx.google.fault("POST /token", { latencyMs: 5_000, times: 1 });
    let finished = false;
    const run = refreshDueTokensAcrossTenants(fx.deps, { writeBatchSize: 50, lingerMs: 20 }).finally(() => {
      finished = true;
    });
    await waitUntil(async () => (await rowsOf(rows.map((r) => r.id))).some(written), 10_000);
    const writtenAt = Date.now();
    expect(finished).toBe(false);
    const lastCallAt = Math.max(...fx.google.requestsTo("POST /token").map((r) => r.at));
    expect(writtenAt - lastCallAt).toBeLessThan(2_000);
    return run;
  }

  it("writes an answer within lingerMs while a slower call is still out", async () => {
    const run = writtenWhileAnotherCallIsOut(["quick1", "quick2"], (row) => row.tokenVersion === 1);
    expect(await run).toMatchObject({ refreshed: 2 });
  });

  it("writes a failure within lingerMs while a slower call is still out", async () => {
    const run = writtenWhileAnotherCallIsOut(["dead1", "dead2"], (row) => row.status === "expired");
    expect(await run).toMatchObject({ expired: 2 });
  });
});

describe("the batched refresh pipeline's rows", () => {
  it("stores the new expiry and the next due date with the new token", async () => {
    const [row] = await seedDue(["expiry"]);
    const before = Date.now();
    await refreshDueTokensAcrossTenants(fx.deps);
    const after = await rowOf(row!.id);
    // Google's simulator answers expires_in 3600.
    const expiresAt = after.tokenExpiresAt!.getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000 - 1000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1000);
    // Half the remaining life, counted from when the sweep computed it (a few ms after the answer:
    // the due date moves half of that later).
    const due = refreshDueAt(
      findProvider("google_drive")!,
      after.tokenExpiresAt,
      new Date(expiresAt - 3_600_000),
    );
    const late = after.refreshDueAt!.getTime() - due!.getTime();
    expect(late).toBeGreaterThanOrEqual(0);
    expect(late).toBeLessThan(1_000);
  });

  it("re-seals fields sealed under an older key, so the row keeps one key version", async () => {
    const oldRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!.split(",")[1]!);
    const [row] = await seedDue(["oldkey"], oldRing);
    expect(row!.keyVersion).toBe("v1");
    await refreshDueTokensAcrossTenants(fx.deps);
    const after = await rowOf(row!.id);
    expect(after.keyVersion).toBe("v2");
    for (const value of Object.values(after.credentials)) expect(keyVersionOf(value)).toBe("v2");
    const plain = await decryptCredentials(fx.deps.keyRing, after, after.credentials);
    expect(plain.refresh_token).toBe("rt_oldkey");
    expect(fx.google.isValidAccessToken(plain.access_token!)).toBe(true);
  });

  it("brings an errored connection back with the reason 'token refreshed', once", async () => {
    const [errored, active] = await seedDue(["back", "fine"]);
    await fx.db.db
      .update(integrationConnections)
      .set({ status: "error", refreshFailures: 4 })
      .where(eq(integrationConnections.id, errored!.id));
    const summary = await refreshDueTokensAcrossTenants(oneAtATime(), {
      writeBatchSize: 2,
      lingerMs: 60_000,
    });
    // The claim, one write-back of both answers, one status-machine statement for the errored row
    // only, the release.
    expect(summary).toMatchObject({ refreshed: 2, statements: 4 });
    const transitions = await fx.db.db.select().from(connectionTransitions);
    expect(transitions.map((t) => [t.connectionId, t.fromStatus, t.toStatus, t.reason])).toEqual([
      [errored!.id, "error", "active", "token refreshed"],
    ]);
    expect((await rowOf(active!.id)).status).toBe("active");
  });
});

describe("the batched refresh pipeline's pacing", () => {
  it("pauses only the provider that answered 429 for its Retry-After", async () => {
    await seedDue(["t1", "t2", "t3"]);
    for (const name of ["s1", "s2", "s3"]) {
      fx.slack.seedToken(`xoxe-1-${name}`);
      await seedConnection(fx, {
        provider: "slack",
        accessToken: "xoxb-old",
        refreshToken: `xoxe-1-${name}`,
        expiresAt: new Date(Date.now() + 60_000),
        tenantName: name,
      });
    }
    fx.slack.setLatency(150);
    fx.google.fault("POST /token", { status: 429, retryAfter: 1, times: 1 });
    const deps = oneAtATime();
    const summary = await refreshDueTokensAcrossTenants({
      ...deps,
      env: { ...deps.env, SLACK_CONCURRENCY_LIMIT: "1" },
    });
    // Slack's calls, one at a time, go on during Google's pause.
    const slackCalls = fx.slack.requestsTo("POST /api/oauth.v2.access").map((r) => r.at);
    expect(slackCalls).toHaveLength(3);
    const throttledAt = fx.google.requestsTo("POST /token")[0]!.at;
    expect(Math.max(...slackCalls) - throttledAt).toBeLessThan(900);
    const calls = fx.google.requestsTo("POST /token").map((r) => r.at);
    expect(calls).toHaveLength(3);
    // The call after the 429 waited its second (less a little for clock granularity), no more.
    expect(calls[1]! - calls[0]!).toBeGreaterThanOrEqual(950);
    expect(calls[1]! - calls[0]!).toBeLessThan(10_000);
    expect(summary).toMatchObject({ claimed: 6, refreshed: 5, failed: 1 });
  });

  /** The sweep with PROVIDER_TIMEOUT_MS set: a call needs that long plus 30 s of lease left. */
  const withTimeout = (ms: number) => ({
    ...fx.deps,
    env: { ...fx.deps.env, PROVIDER_TIMEOUT_MS: String(ms) },
  });

  it("starts no call whose answer could not be written before the lease ends, and releases those rows", async () => {
    const rows = await seedDue(["short1", "short2"]);
    // 5 s timeout + 30 s margin = 35 s: a 34 s lease is too short.
    const summary = await refreshDueTokensAcrossTenants(withTimeout(5_000), { leaseSeconds: 34 });
    expect(summary).toMatchObject({ claimed: 2, refreshed: 0, released: 2 });
    expect(fx.google.requestsTo("POST /token")).toHaveLength(0);
    for (const row of await rowsOf(rows.map((r) => r.id))) expect(row.refreshLeaseOwner).toBeNull();
    // 20 s timeout + 30 s = 50 s: a 45 s lease is too short as well.
    expect(await refreshDueTokensAcrossTenants(withTimeout(20_000), { leaseSeconds: 45 })).toMatchObject({
      refreshed: 0,
      released: 2,
    });
  });

  it("starts calls when the lease leaves room for the provider timeout plus the margin", async () => {
    await seedDue(["long1"]);
    const summary = await refreshDueTokensAcrossTenants(withTimeout(5_000), { leaseSeconds: 37 });
    expect(summary).toMatchObject({ claimed: 1, refreshed: 1, released: 0 });
  });

  it("reports progress after each claim and at the end", async () => {
    await seedDue(["p1", "p2", "p3"]);
    const seen: number[] = [];
    await refreshDueTokensAcrossTenants(oneAtATime(), {
      claimSize: 2,
      onProgress: (p) => {
        seen.push(p.claimed);
      },
    });
    expect(seen).toEqual([2, 3, 3]);
  });
});
