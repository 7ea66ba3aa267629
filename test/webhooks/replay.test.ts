import { tasks } from "@trigger.dev/sdk";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { webhookEvents } from "../../db/schema.ts";
import type { RunView } from "../../local/executor/run-store.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { buildDeps, type Deps } from "../../src/build-deps.ts";
import type { Capability, CapabilityEvent } from "../../src/capabilities/capability.ts";
import { createCapabilityRegistry } from "../../src/capabilities/create-capability-registry.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { rowsOf } from "../../src/db/types.ts";
import { EventBusyError } from "../../src/inbox/event-busy-error.ts";
import { listWebhookEvents } from "../../src/inbox/list-webhook-events.ts";
import { processWebhookEvent } from "../../src/inbox/process-webhook-event.ts";
import { recordWebhookEvent } from "../../src/inbox/record-webhook-event.ts";
import { createTriggerJobQueue } from "../../src/jobs.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";
import { waitUntil } from "../helpers/wait-until.ts";

let db: TestDb;
let runtime: Runtime;
let deps: Deps;
beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({ db, port: 0, secretKey: "tr_test", sandbox: false, cron: false });
  deps = buildDeps({
    db: db.db,
    jobs: createTriggerJobQueue(),
    keyRing: await parseKeyRing(process.env.ENCRYPTION_KEYS!),
    env: {},
  });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
});
beforeEach(async () => db.truncate());

const store = (provider: string, key: string, type = "payout.paid", json = JSON.stringify({ key })) =>
  recordWebhookEvent(db.db, {
    provider,
    dedupeKey: key,
    tenantId: null,
    type,
    body: new TextEncoder().encode(json),
    json,
  });

/** A registry with one test capability whose handler is `handle`. */
const registryWith = (
  provider: string,
  type: string,
  handle: (event: CapabilityEvent, key: string) => Promise<unknown>,
) => {
  const capability: Capability = {
    name: "calls",
    routes: [{ provider, types: [type] }],
    handle: (event, _deps, { idempotencyKey }) => handle(event, idempotencyKey),
  };
  return createCapabilityRegistry([capability]);
};

describe("webhook inbox processing and replay", () => {
  it("marks an event no capability handles unrouted with a reason, and lists it", async () => {
    const { id } = await store("lob", "evt_1", "letter.mailed");
    expect(await processWebhookEvent(deps, createCapabilityRegistry([]), id)).toMatchObject({
      status: "unrouted",
      capability: null,
    });
    const listed = await listWebhookEvents(db.db, { provider: "lob", status: "unrouted" });
    expect(listed).toEqual([expect.objectContaining({ id, dedupeKey: "evt_1", status: "unrouted" })]);
    expect(listed[0]!.error).toMatch(/No capability handles lob letter.mailed/);
  });

  it("routes by provider and type to the capability, with the event id as idempotency key", async () => {
    const seen: { event: CapabilityEvent; key: string }[] = [];
    const registry = registryWith("retell", "call_analyzed", async (event, key) => {
      seen.push({ event, key });
      return { handled: true };
    });
    const { id } = await store("retell", "call_1:call_analyzed", "call_analyzed");
    const other = await store("retell", "call_1:call_ended", "call_ended");
    expect(await processWebhookEvent(deps, registry, id)).toMatchObject({
      status: "processed",
      capability: "calls",
      outcome: { handled: true },
    });
    expect(await processWebhookEvent(deps, registry, other.id)).toMatchObject({ status: "unrouted" });
    expect(await processWebhookEvent(deps, registry, id)).toMatchObject({ status: "processed" });
    expect(seen).toHaveLength(1);
    await processWebhookEvent(deps, registry, id, { replay: true });
    expect(seen).toHaveLength(2);
    expect(seen[0]).toEqual({
      key: id,
      event: {
        id,
        provider: "retell",
        type: "call_analyzed",
        tenantId: null,
        payload: { key: "call_1:call_analyzed" },
      },
    });
  });

  it("runs the handler once when the same event is processed ten times at once", async () => {
    let running = 0;
    let calls = 0;
    const registry = registryWith("stripe", "payout.paid", async () => {
      calls++;
      running++;
      await new Promise((r) => setTimeout(r, 100));
      running--;
    });
    const { id } = await store("stripe", "evt_once");
    const results = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => processWebhookEvent(deps, registry, id, { replay: i % 2 === 0 })),
    );
    expect(calls).toBe(1);
    expect(running).toBe(0);
    const rejected = results.filter((r) => r.status === "rejected").map((r) => r.reason);
    expect(rejected.every((err) => err instanceof EventBusyError && err.retryable)).toBe(true);
    expect(results.filter((r) => r.status === "fulfilled")).not.toHaveLength(0);
    const [row] = await db.db.select().from(webhookEvents).where(eq(webhookEvents.id, id));
    expect(row).toMatchObject({ status: "processed", attempts: 1, leaseOwner: null });
  });

  it("takes over an event whose worker died once its lease expired, and the late worker records nothing", async () => {
    const outcomes: string[] = [];
    let releaseFirst: (() => void) | undefined;
    const first = registryWith("stripe", "payout.paid", async () => {
      await new Promise<void>((r) => {
        releaseFirst = r;
      });
      outcomes.push("first");
      throw new Error("first attempt gave up late");
    });
    const second = registryWith("stripe", "payout.paid", async () => {
      outcomes.push("second");
    });
    const { id } = await store("stripe", "evt_lease");
    const stuck = processWebhookEvent(deps, first, id, { leaseMs: 1_000 });
    await waitUntil(async () => (releaseFirst ? true : undefined));
    await expect(processWebhookEvent(deps, second, id)).rejects.toBeInstanceOf(EventBusyError);
    await new Promise((r) => setTimeout(r, 1_100));
    expect(await processWebhookEvent(deps, second, id)).toMatchObject({ status: "processed" });
    releaseFirst!();
    await expect(stuck).rejects.toThrow("first attempt gave up late");
    expect(outcomes).toEqual(["second", "first"]);
    const [row] = await db.db.select().from(webhookEvents).where(eq(webhookEvents.id, id));
    expect(row).toMatchObject({ status: "processed", error: null, attempts: 2 });
  });

  it("records a failing capability as failed and rethrows so the task retries; a retry succeeds", async () => {
    let fail = true;
    const registry = registryWith("plaid", "AUTH.DEFAULT_UPDATE", async () => {
      if (fail) throw new Error("bank verification exploded");
    });
    const { id } = await store("plaid", "item_1:AUTH.DEFAULT_UPDATE:abc", "AUTH.DEFAULT_UPDATE");
    await expect(processWebhookEvent(deps, registry, id)).rejects.toThrow("bank verification exploded");
    const [failed] = await db.db.select().from(webhookEvents);
    expect(failed).toMatchObject({ status: "failed", error: "bank verification exploded", attempts: 1 });
    fail = false;
    expect(await processWebhookEvent(deps, registry, id)).toMatchObject({ status: "processed" });
  });

  it("keeps bodies jsonb cannot hold as exact bytes and hands the handler the parsed event", async () => {
    const seen: unknown[] = [];
    const registry = registryWith("stripe", "payout.paid", async (event) => {
      seen.push(event.payload);
    });
    const deep = `${'{"a":'.repeat(10_000)}1${"}".repeat(10_000)}`;
    const huge = '{"amount":1e-20000,"fee":1e1000000}';
    const bodies = ['{"text":"nul \\u0000 here"}', '{"text":"lone \\ud800 surrogate"}', deep, huge];
    for (const [i, json] of bodies.entries()) {
      const { id } = await store("stripe", `evt_odd_${i}`, "payout.paid", json);
      const [row] = rowsOf(
        await db.db.execute(
          sql`select payload, convert_from(raw_body, 'UTF8') as raw from webhook_events where id = ${id}`,
        ),
      );
      expect(row).toMatchObject({ payload: null, raw: json });
      await processWebhookEvent(deps, registry, id);
    }
    expect(seen[0]).toEqual({ text: "nul \u0000 here" });
    expect(seen[1]).toEqual({ text: "lone \ud800 surrogate" });
    let depth = 0;
    for (let node = seen[2]; typeof node === "object"; node = (node as { a: unknown }).a) depth++;
    expect(depth).toBe(10_000);
    expect(seen[3]).toEqual({ amount: 0, fee: Number.POSITIVE_INFINITY });
  });

  it("bulk-replays unrouted events of a provider through the replay task", async () => {
    const a = await store("stripe", "evt_a");
    const b = await store("stripe", "evt_b");
    await store("lob", "evt_c", "letter.mailed");
    await processWebhookEvent(deps, createCapabilityRegistry([]), a.id);
    await processWebhookEvent(deps, createCapabilityRegistry([]), b.id);
    const handle = await tasks.trigger("inbox-replay-events", { provider: "stripe" });
    const run = await waitUntil(async () => {
      const r = (await (
        await fetch(`${runtime.url}/runs/${handle.id}`, { headers: { authorization: "Bearer tr_test" } })
      ).json()) as RunView;
      return r.status === "completed" ? r : undefined;
    });
    expect(run.output).toEqual({ matched: 2, triggered: 2 });
    const children = await waitUntil(async () => {
      const all = (await (
        await fetch(`${runtime.url}/runs?taskId=inbox-process-stripe-event`, {
          headers: { authorization: "Bearer tr_test" },
        })
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
