import { tasks } from "@trigger.dev/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntime } from "../local/runtime.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";
import { waitUntil } from "./helpers/wait-until.ts";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.close());

const options = {
  port: 0,
  taskDirs: ["trigger", "test/fixtures/trigger"],
  secretKey: "tr_test_local",
  sandbox: false,
  cron: false,
} as const;

describe("local runtime shutdown", () => {
  it("marks a run still in flight after the grace period interrupted, and retries it on the next start", async () => {
    const first = await startRuntime({ ...options, db });
    const handle = await tasks.trigger("test-slow", { ms: 1_500 });
    await waitUntil(async () => (await first.executor.store.get(handle.id))?.status === "running");
    await first.close(100);
    expect((await first.executor.store.get(handle.id))?.status).toBe("interrupted");

    const second = await startRuntime({ ...options, db });
    try {
      await second.workers?.prepare(second.catalog.get("test-slow")!);
      const run = await second.executor.waitFor(handle.id, 10_000);
      expect(run.status).toBe("completed");
      expect(run.attempts).toBe(2);
    } finally {
      await second.close(1_000);
    }
  });

  it("lets an in-flight run finish when it ends within the grace period", async () => {
    const runtime = await startRuntime({ ...options, db });
    // The fixture file's worker is up first: the grace period is for the run, not a worker's start.
    await runtime.workers?.prepare(runtime.catalog.get("test-slow")!);
    const handle = await tasks.trigger("test-slow", { ms: 300 });
    await waitUntil(async () => (await runtime.executor.store.get(handle.id))?.status === "running");
    await runtime.close(5_000);
    const row = await runtime.executor.store.get(handle.id);
    expect(row?.status).toBe("completed");
    expect(row?.attempts).toBe(1);
  });
});
