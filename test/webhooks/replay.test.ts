import { tasks } from "@trigger.dev/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { webhookEvents } from "../../db/schema.ts";
import type { RunView } from "../../local/executor/run-store.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { registerEventHandler, type StoredEvent } from "../../src/inbox/capabilities.ts";
import { listWebhookEvents } from "../../src/inbox/list-webhook-events.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";
import { recordWebhookEvent } from "../../src/inbox/record-webhook-event.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";
import { waitUntil } from "../helpers/wait-until.ts";

let db: TestDb;
let runtime: Runtime;
beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({ db, port: 0, secretKey: "tr_test", sandbox: false, cron: false });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
});
beforeEach(async () => db.truncate());

const store = (provider: string, key: string, type = "payout.paid") =>
  recordWebhookEvent(db.db, { provider, dedupeKey: key, tenantId: null, type, payload: { key } });

describe("webhook inbox processing and replay", () => {
  it("marks an event unrouted with a reason when its capability is not installed, and lists it", async () => {
    const { id } = await store("lob", "evt_1", "letter.mailed");
    expect(await processWebhookEvent(db.db, id)).toMatchObject({ status: "unrouted", capability: "mail" });
    const listed = await listWebhookEvents(db.db, { provider: "lob", status: "unrouted" });
    expect(listed).toEqual([
      expect.objectContaining({
        id,
        provider: "lob",
        dedupeKey: "evt_1",
        type: "letter.mailed",
        status: "unrouted",
      }),
    ]);
    expect(listed[0]!.error).toMatch(/mail capability is not installed yet/);
  });

  it("routes an event to its capability once one is registered, and replays only on request", async () => {
    const seen: StoredEvent[] = [];
    registerEventHandler("calls", async (event) => {
      seen.push(event);
    });
    const { id } = await store("retell", "call_1:call_analyzed", "call_analyzed");
    expect(await processWebhookEvent(db.db, id)).toMatchObject({ status: "processed", capability: "calls" });
    expect(await processWebhookEvent(db.db, id)).toMatchObject({ status: "processed" });
    expect(seen).toHaveLength(1);
    await processWebhookEvent(db.db, id, { replay: true });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toMatchObject({
      id,
      provider: "retell",
      type: "call_analyzed",
      payload: { key: "call_1:call_analyzed" },
    });
  });

  it("records a failing capability as failed and rethrows so the task retries", async () => {
    registerEventHandler("bank-verification", async () => {
      throw new Error("bank verification exploded");
    });
    const { id } = await store("plaid", "item_1:AUTH.DEFAULT_UPDATE:abc", "AUTH.DEFAULT_UPDATE");
    await expect(processWebhookEvent(db.db, id)).rejects.toThrow("bank verification exploded");
    const [row] = await db.db.select().from(webhookEvents);
    expect(row).toMatchObject({ status: "failed", error: "bank verification exploded", attempts: 1 });
  });

  it("bulk-replays unrouted events of a provider through the replay task", async () => {
    const a = await store("stripe", "evt_a");
    const b = await store("stripe", "evt_b");
    await store("lob", "evt_c", "letter.mailed");
    await processWebhookEvent(db.db, a.id);
    await processWebhookEvent(db.db, b.id);
    const handle = await tasks.trigger("inbox-replay-events", { provider: "stripe" });
    const run = await waitUntil(async () => {
      const r = (await (await fetch(`${runtime.url}/runs/${handle.id}`)).json()) as RunView;
      return r.status === "completed" ? r : undefined;
    });
    expect(run.output).toEqual({ matched: 2, triggered: 2 });
    const children = await waitUntil(async () => {
      const all = (await (
        await fetch(`${runtime.url}/runs?taskId=inbox-process-stripe-event`)
      ).json()) as RunView[];
      return all.length === 2 && all.every((r) => r.status === "completed") ? all : undefined;
    });
    expect(new Set(children.map((r) => (r.payload as { eventId: string }).eventId))).toEqual(
      new Set([a.id, b.id]),
    );
    const attempts = await db.db.select().from(webhookEvents);
    expect(attempts.filter((e) => e.provider === "stripe").every((e) => e.attempts === 2)).toBe(true);
  });
});
