import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tenants, webhookEvents } from "../../db/schema.ts";
import { buildDeps } from "../../src/build-deps.ts";
import { createRouteTable } from "../../src/capabilities/create-route-table.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { AppError, ConfigError, NotFoundError } from "../../src/errors.ts";
import type { InboundProvider } from "../../src/ingress/inbound-provider.ts";
import { ingestWebhook } from "../../src/ingress/ingest-webhook.ts";
import { type IngressDeps, setIngressDeps } from "../../src/ingress/ingress-deps.ts";
import type { JobQueue, TriggerJobOptions } from "../../src/jobs.ts";
import { WebhookVerificationError } from "../../src/providers/webhook-verification-error.ts";
import { captureLogs } from "../helpers/capture-logs.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

/**
 * The one door pipeline (`ingestWebhook`) driven directly: a test descriptor whose verdict the
 * request chooses, the real inbox tables, and a job queue that records what was triggered.
 */
let db: TestDb;
let deps: IngressDeps;
const triggered: { taskId: string; payload: unknown; options: TriggerJobOptions | undefined }[] = [];
let triggerFailure: Error | undefined;
const jobs: JobQueue = {
  async trigger(taskId, payload, options) {
    if (triggerFailure) throw triggerFailure;
    triggered.push({ taskId, payload, options });
    return { id: `run_${triggered.length}`, isCached: false };
  },
  batchTrigger: () => Promise.reject(new Error("not used by the door")),
};

const verdicts: Record<string, () => Error> = {
  missing: () => new WebhookVerificationError("stripe", "missing_header", "no header"),
  forged: () => new WebhookVerificationError("stripe", "invalid_signature", "forged"),
  "no-tenant": () => new NotFoundError("no such tenant"),
  unconfigured: () => new ConfigError("no secret"),
  down: () => new Error("database down"),
};
const door = (overrides: Partial<InboundProvider> = {}): InboundProvider => ({
  id: "stripe",
  path: "/webhooks/stripe",
  perTenant: false,
  secretSource: "test",
  async verify(_body, request) {
    const verdict = request.headers.get("x-verdict");
    if (verdict) throw verdicts[verdict]!();
  },
  async identify(body) {
    const event = body as { id?: unknown; type?: string };
    if (event.id === 7) throw "a thrown string";
    if (typeof event.id !== "string") throw new Error(`no id: ${"x".repeat(2_000)}`);
    return { dedupeKey: event.id, type: event.type ?? "door.accepted" };
  },
  sampleEvent: () => "{}",
  ...overrides,
});
const post = (body: BodyInit, headers: Record<string, string> = {}, provider = door(), params = {}) =>
  ingestWebhook(
    new Request("http://door/webhooks/stripe", { method: "POST", body, headers }),
    params,
    provider,
  );
const rows = () => db.db.select().from(webhookEvents);

beforeAll(async () => {
  db = await createTestDb();
  deps = {
    ...buildDeps({ db: db.db, jobs, keyRing: await parseKeyRing(process.env.ENCRYPTION_KEYS!), env: {} }),
    oauth: undefined,
    plaidKeys: undefined,
    inboundRoutes: createRouteTable([
      { name: "door-test", routes: [{ provider: "stripe", types: ["door.accepted"] }] },
    ]),
  };
  setIngressDeps(deps);
});
afterAll(async () => {
  setIngressDeps(undefined);
  await db?.close();
});
beforeEach(async () => {
  await db.truncate();
  triggered.length = 0;
  triggerFailure = undefined;
});

describe("the webhook door", () => {
  it("answers anything but POST with 405 and an Allow header, reading nothing", async () => {
    const response = await ingestWebhook(new Request("http://door/webhooks/stripe"), {}, door());
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe("POST");
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(await response.json()).toEqual({ error: "Method not allowed" });
  });

  it.each([
    ["missing", 400, "no header"],
    ["forged", 401, "forged"],
    ["no-tenant", 404, "no such tenant"],
    ["unconfigured", 500, "Webhook verification is not configured"],
    ["down", 503, "Temporarily unavailable"],
  ])("answers a %s verification with %i, storing and triggering nothing", async (verdict, status, error) => {
    const response = await post('{"id":"e1"}', { "x-verdict": verdict });
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ error });
    expect(await rows()).toEqual([]);
    expect(triggered).toEqual([]);
  });

  it("answers 413 to a body over 1 MiB", async () => {
    const response = await post("x".repeat(1024 * 1024 + 1));
    expect(response.status).toBe(413);
    expect(await response.json()).toEqual({ error: "Body exceeds 1048576 bytes" });
    expect(await rows()).toEqual([]);
  });

  it("stores an accepted event and triggers its inbox task keyed by provider and dedupe key", async () => {
    const response = await post('{"id":"evt_door_1"}');
    const [row] = await rows();
    expect(row).toMatchObject({
      provider: "stripe",
      dedupeKey: "evt_door_1",
      type: "door.accepted",
      tenantId: null,
    });
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ received: true, eventId: row!.id, duplicate: false });
    expect(triggered).toEqual([
      {
        taskId: "inbox-process-stripe-event",
        payload: { eventId: row!.id },
        options: { idempotencyKey: "stripe:evt_door_1", concurrencyKey: "platform" },
      },
    ]);
  });

  it("acknowledges a type no capability handles without storing or triggering it", async () => {
    const response = await post('{"id":"evt_door_2","type":"door.unrouted"}');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ ignored: "door.unrouted" });
    expect(await rows()).toEqual([]);
    expect(triggered).toEqual([]);
  });

  it("does not trigger again a duplicate whose event was already processed", async () => {
    await post('{"id":"evt_door_3"}');
    await db.db
      .update(webhookEvents)
      .set({ status: "processed" })
      .where(eq(webhookEvents.dedupeKey, "evt_door_3"));
    const response = await post('{"id":"evt_door_3"}');
    expect(await response.json()).toMatchObject({ received: true, duplicate: true });
    expect(triggered).toHaveLength(1);
  });

  it.each([
    ["invalid UTF-8", new Uint8Array([0x7b, 0xff, 0x7d]), "body is not valid UTF-8"],
    ["not JSON", "{nope", "body is not JSON"],
    ["not an event", '{"id":1}', `no id: ${"x".repeat(993)}`],
    ["refused with a non-error", '{"id":7}', "a thrown string"],
  ])(
    "keeps a verified body that is %s as malformed, with why, and acknowledges it",
    async (_label, body, problem) => {
      const response = await post(body);
      expect(response.status).toBe(200);
      expect(await response.json()).toEqual({ received: true, error: "malformed" });
      const [row] = await rows();
      expect(row).toMatchObject({ status: "malformed", type: "malformed", error: problem });
      expect(triggered).toEqual([]);
    },
  );

  it("scopes a per-tenant provider's dedupe key and concurrency by the path's tenant, in any letter case", async () => {
    const [tenant] = await db.db.insert(tenants).values({ name: "Door" }).returning();
    const perTenant = door({ id: "lob", perTenant: true });
    deps.inboundRoutes = createRouteTable([
      { name: "door-test", routes: [{ provider: "lob", types: ["door.accepted"] }] },
    ]);
    try {
      const response = await post('{"id":"evt_door_4"}', {}, perTenant, { tenantId: tenant!.id });
      expect(response.status).toBe(200);
      const [row] = await rows();
      expect(row).toMatchObject({ dedupeKey: `${tenant!.id}:evt_door_4`, tenantId: tenant!.id });
      expect(triggered[0]!.options).toEqual({
        idempotencyKey: `lob:${tenant!.id}:evt_door_4`,
        concurrencyKey: tenant!.id,
      });
      // The same delivery again under the tenant id in capitals (it verifies alike): one event.
      const upper = { tenantId: tenant!.id.toUpperCase() };
      const again = await post('{"id":"evt_door_4"}', {}, perTenant, upper);
      expect(await again.json()).toMatchObject({ eventId: row!.id, duplicate: true });
      expect(await rows()).toHaveLength(1);
    } finally {
      deps.inboundRoutes = createRouteTable([
        { name: "door-test", routes: [{ provider: "stripe", types: ["door.accepted"] }] },
      ]);
    }
  });

  it("answers 500 when Trigger.dev rejects the run for good and 503 when it may succeed later, keeping the event", async () => {
    triggerFailure = new AppError("trigger_rejected", "bad task", { retryable: false });
    expect((await post('{"id":"evt_door_5"}')).status).toBe(500);
    triggerFailure = new AppError("trigger_rejected", "busy", { retryable: true });
    const busy = await post('{"id":"evt_door_5"}');
    expect(busy.status).toBe(503);
    expect(await busy.json()).toEqual({ error: "Temporarily unavailable" });
    triggerFailure = new AppError("other", "bad", { retryable: false });
    expect((await post('{"id":"evt_door_5"}')).status).toBe(503);
    expect(await rows()).toHaveLength(1);
  });

  it("logs why each delivery was refused or kept, with the provider and the path's tenant", async () => {
    const logs = captureLogs();
    try {
      await post("{}", { "x-verdict": "forged" }, door(), { tenantId: "t-1" });
      await post("{}", { "x-verdict": "unconfigured" });
      await post("{}", { "x-verdict": "down" });
      await post("{nope");
      triggerFailure = new Error("queue down");
      await post('{"id":"evt_door_6"}');
    } finally {
      logs.stop();
    }
    const lines = logs.lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = (message: string) => lines.find((l) => l.message === message);
    expect(line("webhook rejected")).toMatchObject({
      level: "warn",
      provider: "stripe",
      tenantId: "t-1",
      reason: "invalid_signature",
    });
    expect(line("webhook refused: verification is not configured")).toMatchObject({
      level: "error",
      provider: "stripe",
    });
    expect(line("webhook refused: verification is not configured")).toHaveProperty(
      "error.message",
      "no secret",
    );
    expect(line("webhook could not be verified now")).toHaveProperty("error.message", "database down");
    expect(line("signed webhook is malformed; kept for inspection")).toMatchObject({
      problem: "body is not JSON",
    });
    expect(line("webhook could not be stored or enqueued; the provider will retry")).toHaveProperty(
      "error.message",
      "queue down",
    );
    expect(line("webhook could not be verified now")).not.toHaveProperty("tenantId");
  });
});
