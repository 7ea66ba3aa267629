import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createInProcessJobQueue } from "../local/executor/in-process-job-queue.ts";
import { type Runtime, startRuntime } from "../local/runtime.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let db: TestDb;
let runtime: Runtime;
beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({
    db,
    port: 0,
    taskDirs: ["trigger", "test/fixtures/trigger"],
    secretKey: "tr_test",
    sandbox: false,
    cron: false,
    advertise: false,
  });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
});

describe("in-process enqueue of the local runtime (webhook doors)", () => {
  it("stores the run before answering and starts it only on a later turn, then runs it", async () => {
    const jobs = createInProcessJobQueue(runtime.executor, runtime.catalog);
    // Record when the executor looks for due runs, relative to the moment the trigger returns.
    const events: { at: string; ids: string[] }[] = [];
    const store = runtime.executor.store;
    const due = store.due.bind(store);
    store.due = (async (...args: Parameters<typeof due>) => {
      // Recorded when the executor starts looking, filled in with what it found.
      const event = { at: "dispatch", ids: [] as string[] };
      events.push(event);
      const rows = await due(...args);
      event.ids = rows.map((r) => r.id);
      return rows;
    }) as typeof store.due;
    try {
      const handle = await jobs.trigger("test-child", { n: 7 }, { idempotencyKey: "ack-1" });
      events.push({ at: "answered", ids: [] });
      // Acknowledged ⇒ stored.
      expect(await store.get(handle.id)).toMatchObject({ taskId: "test-child", attempts: 0 });
      expect((await runtime.executor.waitFor(handle.id, 20_000)).status).toBe("completed");
      const answered = events.findIndex((e) => e.at === "answered");
      const found = events.findIndex((e) => e.ids.includes(handle.id));
      // The run was picked up only after the triggering code had gone on (and could answer).
      expect(found).toBeGreaterThan(answered);
    } finally {
      store.due = due;
    }
  });

  it("dedupes by idempotency key like the trigger API", async () => {
    const jobs = createInProcessJobQueue(runtime.executor, runtime.catalog);
    const first = await jobs.trigger("test-child", { n: 1 }, { idempotencyKey: "ack-dup" });
    const again = await jobs.trigger("test-child", { n: 1 }, { idempotencyKey: "ack-dup" });
    expect(again).toEqual({ id: first.id, isCached: true });
  });

  it("refuses an undeclared queue as the trigger API does", async () => {
    const jobs = createInProcessJobQueue(runtime.executor, runtime.catalog);
    await expect(jobs.trigger("test-child", {}, { queue: "no-such-queue" })).rejects.toThrow(/not declared/);
  });
});
