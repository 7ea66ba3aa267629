import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections, tenants } from "../../db/schema.ts";
import {
  type BetterStackSimulator,
  startBetterStackSimulator,
} from "../../local/sandbox/better-stack-server.ts";
import { startOAuthSimulator } from "../../local/sandbox/oauth-server.ts";
import type { Simulator } from "../../local/sandbox/simulator.ts";
import {
  createConnectionNotifier,
  type NotifierDeps,
  notifyPendingTransitions,
  slackBody,
  transitionMessage,
} from "../../src/connections/connection-notifier.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import type { Transition } from "../../src/connections/transition-connection.ts";
import { type KeyRing, parseKeyRing } from "../../src/crypto/key-ring.ts";
import { createBetterStackIncidents } from "../../src/observability/better-stack-incidents.ts";
import { createProviderHttpClient } from "../../src/providers/provider-http-client.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let db: TestDb;
let keyRing: KeyRing;
let slack: Simulator;
let betterStack: BetterStackSimulator;
const http = createProviderHttpClient({ timeoutMs: 5_000 });
const captured: { code: string; message: string; tags: { tenantId: string; provider: string } }[] = [];

beforeAll(async () => {
  db = await createTestDb();
  keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
  slack = await startOAuthSimulator({ dialect: "slack" });
  betterStack = await startBetterStackSimulator("bs_token");
});
afterAll(async () => {
  await slack.close();
  await betterStack.close();
  await db.close();
});
beforeEach(async () => {
  await db.truncate();
  for (const sim of [slack, betterStack]) {
    sim.requests.length = 0;
    sim.clearFaults();
  }
  betterStack.incidents.clear();
  captured.length = 0;
});

function notifierDeps(overrides: Partial<NotifierDeps> = {}): NotifierDeps {
  return {
    db: db.db,
    keyRing,
    http,
    platformSlackWebhookUrl: `${slack.url}/hooks/platform`,
    incidents: createBetterStackIncidents({
      http,
      token: "bs_token",
      apiUrl: `${betterStack.url}/api`,
      requesterEmail: "oncall@switchboard.test",
    }),
    capture: async (err, tags) => {
      captured.push({ code: (err as { code: string }).code, message: (err as Error).message, tags });
    },
    ...overrides,
  };
}

/** Slack posts received, by hook path, as their text. */
const posts = () =>
  slack.requests
    .filter((r) => r.path.startsWith("/hooks/"))
    .map((r) => ({ hook: r.path, text: (JSON.parse(r.body) as { text: string }).text }));

/** A connection of a new tenant, or of `tenantId` when given. */
async function tenantWithConnection(provider = "google_drive", tenantId?: string) {
  const [tenant] = tenantId
    ? [{ id: tenantId }]
    : await db.db.insert(tenants).values({ name: "Acme" }).returning();
  const [row] = await db.db
    .insert(integrationConnections)
    .values({ tenantId: tenant!.id, provider })
    .returning();
  return { tenantId: tenant!.id, connectionId: row!.id };
}

/** Gives the tenant an active Slack connection whose alert channel is `hook`. */
async function tenantSlackChannel(tenantId: string, hook: string, status = "active") {
  const owner = { tenantId, provider: "slack" };
  const sealed = await encryptCredentials(keyRing, owner, {
    access_token: "xoxb-tenant",
    incoming_webhook_url: `${slack.url}${hook}`,
  });
  await db.db.insert(integrationConnections).values({ ...owner, ...sealed, status: status as "active" });
}

async function recordTransition(
  owner: { tenantId: string; connectionId: string },
  change: Partial<Transition> & { createdAgo?: string; incidentId?: string } = {},
): Promise<Transition> {
  const [row] = await db.db
    .insert(connectionTransitions)
    .values({
      tenantId: owner.tenantId,
      connectionId: owner.connectionId,
      kind: change.kind ?? "status",
      fromStatus: change.fromStatus ?? "active",
      toStatus: change.toStatus ?? "error",
      reason: change.reason === undefined ? "token endpoint 503" : change.reason,
      incidentId: change.incidentId ?? null,
      createdAt: sql`now() - ${change.createdAgo ?? "2 minutes"}::interval`,
    })
    .returning();
  return {
    id: row!.id,
    kind: row!.kind,
    tenantId: owner.tenantId,
    connectionId: owner.connectionId,
    provider: change.provider ?? "google_drive",
    fromStatus: row!.fromStatus as Transition["fromStatus"],
    toStatus: row!.toStatus as Transition["toStatus"],
    reason: row!.reason,
  };
}

const transitionRow = async (id: string) =>
  (await db.db.select().from(connectionTransitions).where(eq(connectionTransitions.id, id)))[0]!;

const base: Transition = {
  id: "t",
  tenantId: "tenant",
  connectionId: "connection",
  provider: "google_drive",
  fromStatus: "active",
  toStatus: "error",
  reason: "token endpoint 503",
};

describe("the text of a connection notice", () => {
  it("names the provider as the catalog does and says what happened to the connection", () => {
    expect(transitionMessage({ ...base, toStatus: "active", fromStatus: "error" })).toBe(
      ":white_check_mark: Google Drive is connected again (was error).",
    );
    expect(transitionMessage({ ...base, toStatus: "expired", reason: "invalid_grant" })).toBe(
      ":warning: Google Drive access expired or was revoked (invalid_grant). Reconnect Google Drive to resume.",
    );
    expect(transitionMessage({ ...base, toStatus: "disconnected", reason: "revoked by the user" })).toBe(
      ":no_entry: Google Drive was disconnected (revoked by the user). Reconnect Google Drive to resume.",
    );
    expect(transitionMessage(base)).toBe(
      ":rotating_light: Google Drive keeps failing (token endpoint 503); Switchboard marked it as errored and keeps retrying.",
    );
  });

  it("says which reason is missing when the transition has none, and uses the id of an unknown provider", () => {
    const none = { ...base, reason: null };
    expect(transitionMessage({ ...none, toStatus: "expired" })).toContain("(no reason given)");
    expect(transitionMessage({ ...none, toStatus: "disconnected" })).toContain("(no reason given)");
    expect(transitionMessage(none)).toContain("keeps failing (unknown error)");
    expect(transitionMessage({ ...base, provider: "acme_crm", toStatus: "active" })).toBe(
      ":white_check_mark: acme_crm is connected again (was active).",
    );
  });

  it("words health changes as health, not as the connection's status", () => {
    const health = { ...base, kind: "health" as const };
    expect(transitionMessage({ ...health, fromStatus: "failing", toStatus: "ok" })).toBe(
      ":white_check_mark: Google Drive is healthy again (was failing).",
    );
    expect(transitionMessage({ ...health, fromStatus: "ok", toStatus: "degraded", reason: "p95 4 s" })).toBe(
      ":warning: Google Drive is degraded: p95 4 s.",
    );
    expect(transitionMessage({ ...health, toStatus: "degraded", reason: null })).toBe(
      ":warning: Google Drive is degraded: slow or erratic.",
    );
    expect(transitionMessage({ ...health, toStatus: "failing", reason: "401 from /userinfo" })).toBe(
      ":rotating_light: Google Drive health checks are failing (401 from /userinfo).",
    );
    expect(transitionMessage({ ...health, toStatus: "failing", reason: null })).toBe(
      ":rotating_light: Google Drive health checks are failing (unknown error).",
    );
  });

  it("escapes every &, < and > of the text for Slack, and nothing else", () => {
    expect(JSON.parse(slackBody("a <!channel> & <https://x|y> > :ok: é"))).toEqual({
      text: "a &lt;!channel&gt; &amp; &lt;https://x|y&gt; &gt; :ok: é",
    });
  });
});

describe("notifying a transition", () => {
  it("posts to the tenant's own Slack channel when it has an active Slack connection, and marks it notified", async () => {
    const owner = await tenantWithConnection();
    await tenantSlackChannel(owner.tenantId, "/hooks/T1/tenant");
    const t = await recordTransition(owner, { toStatus: "expired", reason: "invalid_grant" });
    expect(await createConnectionNotifier(notifierDeps()).notify(t)).toBe(true);
    expect(posts()).toEqual([{ hook: "/hooks/T1/tenant", text: transitionMessage(t) }]);
    const row = await transitionRow(t.id);
    expect(row.notifiedAt).not.toBeNull();
    expect(Date.now() - row.notifiedAt!.getTime()).toBeLessThan(60_000);
  });

  it("falls back to the platform channel when the tenant's Slack connection is not active", async () => {
    const owner = await tenantWithConnection();
    await tenantSlackChannel(owner.tenantId, "/hooks/T1/tenant", "expired");
    const t = await recordTransition(owner, { toStatus: "expired" });
    expect(await createConnectionNotifier(notifierDeps()).notify(t)).toBe(true);
    expect(posts().map((p) => p.hook)).toEqual(["/hooks/platform"]);
  });

  it("never posts to another tenant's Slack channel", async () => {
    const owner = await tenantWithConnection();
    const other = await tenantWithConnection();
    await tenantSlackChannel(other.tenantId, "/hooks/T2/other");
    const t = await recordTransition(owner);
    await createConnectionNotifier(notifierDeps()).notify(t);
    expect(posts().map((p) => p.hook)).toEqual(["/hooks/platform"]);
  });

  it("marks the transition notified without a post when there is no channel at all", async () => {
    const owner = await tenantWithConnection();
    const t = await recordTransition(owner);
    const notifier = createConnectionNotifier(notifierDeps({ platformSlackWebhookUrl: undefined }));
    expect(await notifier.notify(t)).toBe(true);
    expect(posts()).toEqual([]);
    expect((await transitionRow(t.id)).notifiedAt).not.toBeNull();
  });

  it("leaves the transition un-notified, and says so, when Slack refuses the post", async () => {
    const owner = await tenantWithConnection();
    const t = await recordTransition(owner);
    slack.fault("POST /hooks/*", { status: 500, times: 1 });
    const logs = captureLogs();
    try {
      expect(await createConnectionNotifier(notifierDeps()).notify(t)).toBe(false);
    } finally {
      logs.stop();
    }
    expect((await transitionRow(t.id)).notifiedAt).toBeNull();
    expect(logs.lines.join("\n")).toContain("could not notify a connection transition");
    expect(betterStack.incidents.size).toBe(0);
  });

  it("reports failures to error tracking with a code per status, and recoveries not at all", async () => {
    const owner = await tenantWithConnection();
    const notifier = createConnectionNotifier(notifierDeps({ incidents: undefined }));
    await notifier.notify(await recordTransition(owner, { toStatus: "expired" }));
    await notifier.notify(
      await recordTransition(owner, { kind: "health", fromStatus: "ok", toStatus: "failing" }),
    );
    await notifier.notify(await recordTransition(owner, { fromStatus: "error", toStatus: "active" }));
    await notifier.notify(
      await recordTransition(owner, { kind: "health", fromStatus: "failing", toStatus: "ok" }),
    );
    expect(captured.map((c) => c.code)).toEqual(["connection_expired", "connection_health_failing"]);
    expect(captured[0]).toMatchObject({
      message: transitionMessage({ ...base, toStatus: "expired" }),
      tags: { tenantId: owner.tenantId, provider: "google_drive" },
    });
  });

  it("opens an incident for an errored connection and resolves that incident when it is active again", async () => {
    const owner = await tenantWithConnection();
    const notifier = createConnectionNotifier(notifierDeps());
    const failed = await recordTransition(owner, { toStatus: "error", createdAgo: "3 minutes" });
    await notifier.notify(failed);
    expect([...betterStack.incidents.values()]).toEqual([
      { summary: transitionMessage(failed), resolved: false },
    ]);
    const opened = betterStack.requestsTo("POST /api/v2/incidents")[0]!;
    expect(JSON.parse(opened.body)).toMatchObject({
      name: "Google Drive connection error",
      description: `tenant ${owner.tenantId}, connection ${owner.connectionId}`,
    });
    const incidentId = (await transitionRow(failed.id)).incidentId;
    expect(incidentId).toBe([...betterStack.incidents.keys()][0]);

    await notifier.notify(await recordTransition(owner, { fromStatus: "error", toStatus: "active" }));
    expect(betterStack.incidents.get(incidentId!)?.resolved).toBe(true);
  });

  it("resolves the connection's latest incident, not an older one or another connection's", async () => {
    const owner = await tenantWithConnection();
    const neighbour = await tenantWithConnection("notion", owner.tenantId);
    const notifier = createConnectionNotifier(notifierDeps());
    await notifier.notify(await recordTransition(owner, { toStatus: "error", createdAgo: "3 hours" }));
    await notifier.notify(await recordTransition(neighbour, { toStatus: "error", createdAgo: "1 minute" }));
    await notifier.notify(
      await recordTransition(owner, {
        kind: "health",
        fromStatus: "ok",
        toStatus: "failing",
        createdAgo: "2 hours",
      }),
    );
    const [, , latest] = [...betterStack.incidents.keys()];
    await notifier.notify(
      await recordTransition(owner, { kind: "health", fromStatus: "failing", toStatus: "ok" }),
    );
    expect(betterStack.requestsTo("POST /api/v2/incidents/*").map((r) => r.path)).toEqual([
      `/api/v2/incidents/${latest}/resolve`,
    ]);
  });

  it("keeps a connection's incident open while it moves from one failure to another, and resolves it on recovery", async () => {
    const owner = await tenantWithConnection();
    const notifier = createConnectionNotifier(notifierDeps());
    await notifier.notify(await recordTransition(owner, { toStatus: "error", createdAgo: "5 minutes" }));
    const [incidentId] = [...betterStack.incidents.keys()];
    await notifier.notify(
      await recordTransition(owner, { fromStatus: "error", toStatus: "expired", createdAgo: "4 minutes" }),
    );
    await notifier.notify(
      await recordTransition(owner, {
        kind: "health",
        fromStatus: "failing",
        toStatus: "degraded",
        createdAgo: "3 minutes",
      }),
    );
    await notifier.notify(
      await recordTransition(owner, {
        fromStatus: "expired",
        toStatus: "disconnected",
        createdAgo: "2 minutes",
      }),
    );
    expect(betterStack.requestsTo("POST /api/v2/incidents/*")).toEqual([]);
    expect(betterStack.incidents.get(incidentId!)?.resolved).toBe(false);
    await notifier.notify(await recordTransition(owner, { fromStatus: "expired", toStatus: "active" }));
    expect(betterStack.incidents.get(incidentId!)?.resolved).toBe(true);
  });

  it("neither opens nor resolves incidents for expiries, disconnects or degraded health", async () => {
    const owner = await tenantWithConnection();
    const notifier = createConnectionNotifier(notifierDeps());
    await notifier.notify(await recordTransition(owner, { toStatus: "expired" }));
    await notifier.notify(await recordTransition(owner, { toStatus: "disconnected" }));
    await notifier.notify(
      await recordTransition(owner, { kind: "health", fromStatus: "ok", toStatus: "degraded" }),
    );
    expect(betterStack.requests).toEqual([]);
  });
});

describe("a platform-wide alert", () => {
  const failing = {
    key: "provider:stripe",
    provider: "stripe",
    state: "failing" as const,
    text: "Stripe <down>",
  };

  it("posts to the platform channel, reports it and opens an incident named by its key", async () => {
    const result = await createConnectionNotifier(notifierDeps()).alertPlatform!(failing);
    expect(posts()).toEqual([{ hook: "/hooks/platform", text: "Stripe &lt;down&gt;" }]);
    expect(captured).toEqual([
      {
        code: "provider_failing",
        message: "Stripe <down>",
        tags: { tenantId: "platform", provider: "stripe" },
      },
    ]);
    expect(result.incidentId).toBe([...betterStack.incidents.keys()][0]);
    expect(JSON.parse(betterStack.requestsTo("POST /api/v2/incidents")[0]!.body)).toMatchObject({
      name: "provider:stripe",
      summary: "Stripe <down>",
    });
  });

  it("resolves the incident its failing alert opened when it is ok again, and only then", async () => {
    const notifier = createConnectionNotifier(notifierDeps());
    const { incidentId } = await notifier.alertPlatform!(failing);
    expect(await notifier.alertPlatform!({ ...failing, state: "ok", text: "Stripe is back" })).toEqual({
      incidentId: undefined,
    });
    expect(betterStack.incidents.get(incidentId!)?.resolved).toBe(false);
    await notifier.alertPlatform!({
      ...failing,
      state: "ok",
      text: "Stripe is back",
      incidentId: incidentId!,
    });
    expect(betterStack.incidents.get(incidentId!)?.resolved).toBe(true);
    expect(captured).toHaveLength(1);
  });

  it("throws when the platform channel refuses, so the caller retries", async () => {
    slack.fault("POST /hooks/*", { status: 500, times: 1 });
    await expect(createConnectionNotifier(notifierDeps()).alertPlatform!(failing)).rejects.toBeDefined();
    expect(betterStack.incidents.size).toBe(0);
  });

  it("still reports and pages when no platform channel is configured", async () => {
    const notifier = createConnectionNotifier(notifierDeps({ platformSlackWebhookUrl: undefined }));
    expect(await notifier.alertPlatform!(failing)).toEqual({
      incidentId: [...betterStack.incidents.keys()][0],
    });
    expect(posts()).toEqual([]);
    expect(captured).toHaveLength(1);
  });
});

describe("re-sending notices that failed", () => {
  it("re-sends un-notified transitions older than a minute and younger than a day, oldest first", async () => {
    const owner = await tenantWithConnection();
    const recent = await recordTransition(owner, { reason: "59 s old", createdAgo: "59 seconds" });
    const due = await recordTransition(owner, { reason: "61 s old", createdAgo: "61 seconds" });
    const older = await recordTransition(owner, { reason: "23 h old", createdAgo: "23 hours 59 minutes" });
    const stale = await recordTransition(owner, { reason: "a day old", createdAgo: "1 day 1 second" });
    const sent = await notifyPendingTransitions(db.db, createConnectionNotifier(notifierDeps()));
    expect(sent).toBe(2);
    expect(posts().map((p) => p.text)).toEqual([transitionMessage(older), transitionMessage(due)]);
    expect((await transitionRow(recent.id)).notifiedAt).toBeNull();
    expect((await transitionRow(stale.id)).notifiedAt).toBeNull();
  });

  it("skips disconnects and transitions already notified, and counts only the notices sent", async () => {
    const owner = await tenantWithConnection();
    await recordTransition(owner, { toStatus: "disconnected" });
    const told = await recordTransition(owner, { reason: "told" });
    await db.db
      .update(connectionTransitions)
      .set({ notifiedAt: new Date() })
      .where(eq(connectionTransitions.id, told.id));
    const health = await recordTransition(owner, { kind: "health", fromStatus: "ok", toStatus: "failing" });
    const refused = await recordTransition(owner, { toStatus: "expired", createdAgo: "3 minutes" });
    slack.fault("POST /hooks/*", { status: 500, times: 1 });
    const notifier = createConnectionNotifier(notifierDeps({ incidents: undefined }));
    expect(await notifyPendingTransitions(db.db, notifier)).toBe(1);
    // The oldest first: the expiry's post is refused, the health notice's goes through.
    expect(posts().map((p) => p.text)).toEqual([transitionMessage(refused), transitionMessage(health)]);
    expect((await transitionRow(refused.id)).notifiedAt).toBeNull();
    expect((await transitionRow(health.id)).notifiedAt).not.toBeNull();
  });

  it("names each connection's own provider in the notice it re-sends", async () => {
    const drive = await tenantWithConnection();
    const analytics = await tenantWithConnection("ga4", drive.tenantId);
    const driveFailed = await recordTransition(drive, { createdAgo: "3 minutes" });
    const analyticsFailed = await recordTransition(analytics, { provider: "ga4", createdAgo: "2 minutes" });
    const notifier = createConnectionNotifier(notifierDeps({ incidents: undefined }));
    expect(await notifyPendingTransitions(db.db, notifier)).toBe(2);
    expect(posts().map((p) => p.text)).toEqual([
      transitionMessage(driveFailed),
      transitionMessage(analyticsFailed),
    ]);
    expect(posts()[1]!.text).toContain("Google Analytics 4 keeps failing");
  });

  it("re-sends at most 100 per sweep", async () => {
    const owner = await tenantWithConnection();
    await db.db.execute(sql`insert into connection_transitions (tenant_id, connection_id, from_status, to_status, created_at)
      select ${owner.tenantId}, ${owner.connectionId}, 'active', 'error', now() - interval '1 hour' - make_interval(secs => g)
      from generate_series(1, 101) as g`);
    const notifier = createConnectionNotifier(
      notifierDeps({ incidents: undefined, platformSlackWebhookUrl: undefined }),
    );
    expect(await notifyPendingTransitions(db.db, notifier)).toBe(100);
    expect(await notifyPendingTransitions(db.db, notifier)).toBe(1);
  });
});

describe("connection notices without an incident to close", () => {
  it("marks a recovery notified when no incident was opened for its connection, resolving nothing", async () => {
    const owner = await tenantWithConnection();
    const notifier = createConnectionNotifier(notifierDeps());
    const recovery = await recordTransition(owner, { fromStatus: "error", toStatus: "active" });
    expect(await notifier.notify(recovery)).toBe(true);
    expect((await transitionRow(recovery.id)).notifiedAt).not.toBeNull();
    expect(betterStack.requests).toEqual([]);
  });

  it("posts platform alerts as JSON to Slack, and alerts without incident paging configured", async () => {
    const notifier = createConnectionNotifier(notifierDeps({ incidents: undefined }));
    const alert = { key: "provider:stripe", provider: "stripe", text: "Stripe <down>" };
    expect(await notifier.alertPlatform!({ ...alert, state: "failing" })).toEqual({ incidentId: undefined });
    expect(await notifier.alertPlatform!({ ...alert, state: "ok", incidentId: "inc_1" })).toEqual({
      incidentId: undefined,
    });
    const hooks = slack.requests.filter((r) => r.path === "/hooks/platform");
    expect(hooks.map((r) => r.headers["content-type"])).toEqual(["application/json", "application/json"]);
    expect(betterStack.requests).toEqual([]);
  });

  it("posts a tenant's connection notice to Slack as JSON", async () => {
    const owner = await tenantWithConnection();
    await createConnectionNotifier(notifierDeps()).notify(
      await recordTransition(owner, { toStatus: "expired" }),
    );
    expect(slack.requests.map((r) => r.headers["content-type"])).toEqual(["application/json"]);
  });
});
