import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Executor } from "../local/executor/executor.ts";
import { executorDefaults } from "../local/executor/project-config.ts";
import { loadTaskCatalog, type TaskCatalog } from "../local/executor/task-catalog.ts";
import projectConfig from "../trigger.config.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let db: TestDb;
let catalog: TaskCatalog;
beforeAll(async () => {
  db = await createTestDb();
  catalog = await loadTaskCatalog(["trigger", "test/fixtures/trigger"]);
});
afterAll(async () => db?.close());

describe("the executor reads trigger.config.ts", () => {
  it("takes the default retry policy and maxDuration from the project config itself", () => {
    expect(executorDefaults()).toEqual({
      retry: projectConfig.retries?.default,
      maxDuration: projectConfig.maxDuration,
    });
    const changed = { ...projectConfig, maxDuration: 42, retries: { default: { maxAttempts: 7 } } };
    expect(executorDefaults(changed)).toEqual({ retry: { maxAttempts: 7 }, maxDuration: 42 });
    expect(
      executorDefaults({ ...changed, retries: { enabledInDev: false, default: { maxAttempts: 7 } } }).retry,
    ).toEqual({
      maxAttempts: 1,
    });
  });

  it("applies the defaults to a task that sets neither retries nor maxDuration", async () => {
    const executor = new Executor({
      db: db.db,
      catalog,
      defaults: {
        retry: { maxAttempts: 2, minTimeoutInMs: 10, maxTimeoutInMs: 20, factor: 1 },
        maxDuration: 1,
      },
    });
    executor.start();
    try {
      const { id } = await executor.store.create({
        taskId: "test-uses-project-defaults",
        payload: JSON.stringify({ sleepMs: 30_000 }),
        payloadType: "application/json",
      });
      const started = Date.now();
      const run = await executor.waitFor(id, 30_000);
      expect(run).toMatchObject({ status: "failed", attempts: 2 });
      // Each attempt was stopped by the 1 s maxDuration, not by the 30 s sleep.
      expect(Date.now() - started).toBeLessThan(15_000);
    } finally {
      await executor.stop(1_000);
    }
  });
});
