import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRuntime } from "../local/runtime.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";
import { waitUntil } from "./helpers/wait-until.ts";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.close());

describe("a scoped executor (CLI task run)", () => {
  it("runs its run and the runs it triggers, and leaves other queued work alone", async () => {
    const scope = new Set<string>();
    const runtime = await startRuntime({
      db,
      port: 0,
      taskDirs: ["trigger", "test/fixtures/trigger"],
      secretKey: "tr_test",
      sandbox: false,
      cron: false,
      scope,
    });
    try {
      const store = runtime.executor.store;
      const foreign = await store.create({
        taskId: "test-child",
        payload: '{"n":1}',
        payloadType: "application/json",
      });
      const mine = await store.create({
        taskId: "test-parent",
        payload: "{}",
        payloadType: "application/json",
      });
      scope.add(mine.id);
      runtime.executor.wake();
      expect((await runtime.executor.waitFor(mine.id, 20_000)).status).toBe("completed");
      const children = await waitUntil(async () => {
        const rows = (await store.list({ taskId: "test-child" })).filter((r) => r.parentRunId === mine.id);
        return rows.length === 4 && rows.every((r) => r.status === "completed") ? rows : undefined;
      });
      expect(children).toHaveLength(4);
      expect((await store.get(foreign.id))?.status).toBe("queued");
    } finally {
      await runtime.close(1_000);
    }
  });
});
