import { rmSync, writeFileSync } from "node:fs";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../db/schema.ts";
import { type Runtime, type RuntimeOptions, startRuntime } from "../local/runtime.ts";
import { formatError } from "../src/format-error.ts";
import { IMPORT_FAILS_MARKER } from "./fixtures/isolation/lib/import-marker.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";
import { waitUntil } from "./helpers/wait-until.ts";

// Each run executes with only the init file and its own task file imported, as on Trigger.dev.
const FIXTURES = "test/fixtures/isolation/trigger";
const LEASE_MS = 3_000;
let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

async function withRuntime<T>(options: Partial<RuntimeOptions>, fn: (runtime: Runtime) => Promise<T>) {
  const runtime = await startRuntime({
    db,
    port: 0,
    taskDirs: [FIXTURES],
    secretKey: "tr_test_isolation",
    sandbox: false,
    cron: false,
    ...options,
  });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close(0);
  }
}

async function run(runtime: Runtime, taskId: string, payload: unknown) {
  const { id } = await runtime.executor.store.create({
    taskId,
    payload: JSON.stringify(payload),
    payloadType: "application/json",
  });
  runtime.executor.wake();
  return runtime.executor.waitFor(id, 90_000);
}

describe("task files in their own workers", () => {
  it("fails a task that works only because another task file was imported, and runs one that imports what it needs", async () => {
    // The default configuration: no option, no environment variable.
    expect(process.env.SWITCHBOARD_ISOLATE_TASK_FILES).toBeUndefined();
    await withRuntime({}, async (runtime) => {
      expect(runtime.workers).toBeDefined();
      const implicit = await run(runtime, "isolation-shout-implicit", { text: "hello" });
      expect(implicit.status).toBe("failed");
      expect(implicit.error).toMatchObject({ message: expect.stringMatching(/No formatter named "shout"/) });
      // Workers run the task files compiled to JavaScript; stacks still name the TypeScript sources.
      expect(implicit.error).toMatchObject({
        stack: expect.stringMatching(/isolation\/lib\/formatters\.ts:\d+/),
      });
      const explicit = await run(runtime, "isolation-shout-explicit", { text: "hello" });
      expect(explicit).toMatchObject({ status: "completed", output: { shouted: "HELLO!" } });
      // The file that registers the formatter has run in its own worker: still no effect on the other.
      const announced = await run(runtime, "isolation-announce", { text: "hi" });
      expect(announced).toMatchObject({ status: "completed", output: { announced: "HI!" } });
      const again = await run(runtime, "isolation-shout-implicit", { text: "hello" });
      expect(again.status).toBe("failed");
    });
  }, 240_000);

  it("commits a worker's transaction and rolls one back when the task throws, on the runtime's database", async () => {
    await withRuntime({}, async (runtime) => {
      const committed = await run(runtime, "isolation-database", { name: "kept", fail: false });
      expect(committed).toMatchObject({ status: "completed", output: { seenInside: 1 } });
      const output = committed.output as { id: string; createdAt: string };
      expect(new Date(output.createdAt).getTime()).toBeGreaterThan(Date.now() - 600_000);
      const kept = await db.db.select().from(tenants).where(eq(tenants.name, "kept"));
      expect(kept.map((t) => t.id)).toEqual([output.id]);
      const rolledBack = await run(runtime, "isolation-database", { name: "dropped", fail: true });
      expect(rolledBack.status).toBe("failed");
      expect(await db.db.select().from(tenants).where(eq(tenants.name, "dropped"))).toEqual([]);
      // The database is usable after the rollback (no transaction left open on it).
      expect(await run(runtime, "isolation-database", { name: "after", fail: false })).toMatchObject({
        status: "completed",
      });
    });
  }, 240_000);

  it("lets the same task succeed when every task file shares one module graph (what isolation catches)", async () => {
    // The opt-out: SWITCHBOARD_ISOLATE_TASK_FILES=0 runs attempts in the runtime's own module graph.
    process.env.SWITCHBOARD_ISOLATE_TASK_FILES = "0";
    try {
      await withRuntime({}, async (runtime) => {
        expect(runtime.workers).toBeUndefined();
        const implicit = await run(runtime, "isolation-shout-implicit", { text: "hello" });
        expect(implicit).toMatchObject({ status: "completed", output: { shouted: "HELLO!" } });
      });
    } finally {
      delete process.env.SWITCHBOARD_ISOLATE_TASK_FILES;
    }
  }, 120_000);

  it("refuses to start, naming the file and the opt-out, when the task files do not compile for the workers", async () => {
    const started = startRuntime({
      db,
      port: 0,
      taskDirs: ["test/fixtures/unbundlable/trigger"],
      secretKey: "tr_test_isolation",
      sandbox: false,
      cron: false,
    });
    const err = await started.then(
      async (runtime) => {
        await runtime.close(0);
        return undefined;
      },
      (e: unknown) => e,
    );
    const line = formatError(err);
    expect(line).toMatch(
      /^the task files do not compile for their workers: test\/fixtures\/unbundlable\/trigger\/lazy-missing\.ts:8:\d+: Could not resolve "\.\/missing-module\.ts"/,
    );
    expect(line).toContain("SWITCHBOARD_ISOLATE_TASK_FILES=0");
  }, 120_000);

  it("stops a task file's worker that stays idle and starts a new one for the file's next run", async () => {
    await withRuntime({ workerIdleMs: 5_000 }, async (runtime) => {
      const first = await run(runtime, "isolation-announce", { text: "one" });
      expect(first).toMatchObject({ status: "completed", output: { announced: "ONE!" } });
      const thread = runtime.workers?.threadOf(`${FIXTURES}/announce.ts`);
      expect(thread).toBeDefined();
      await waitUntil(
        async () => runtime.workers?.threadOf(`${FIXTURES}/announce.ts`) === undefined,
        30_000,
        "the idle worker to stop",
      );
      const second = await run(runtime, "isolation-announce", { text: "two" });
      expect(second).toMatchObject({ status: "completed", output: { announced: "TWO!" } });
      expect(runtime.workers?.threadOf(`${FIXTURES}/announce.ts`)).not.toBe(thread);
    });
  }, 240_000);

  it("recovers a run whose worker is killed mid-attempt within one lease, without a restart", async () => {
    await withRuntime({ leaseMs: LEASE_MS }, async (runtime) => {
      const { id } = await runtime.executor.store.create({
        taskId: "isolation-crash-once",
        payload: "{}",
        payloadType: "application/json",
      });
      runtime.executor.wake();
      const thread = await waitUntil(
        async () => {
          const row = await runtime.executor.store.get(id);
          return (
            row?.status === "running" &&
            row.attempts === 1 &&
            runtime.workers?.threadOf(`${FIXTURES}/crash-once.ts`)
          );
        },
        90_000,
        "the first attempt to run in its worker",
      );
      // Let the worker start the attempt (load and post) before killing it.
      await new Promise((resolve) => setTimeout(resolve, 500));
      const killedAt = Date.now();
      await thread.terminate();
      const row = await runtime.executor.waitFor(id, 90_000);
      const recoveredIn = Date.now() - killedAt;
      expect(row).toMatchObject({ status: "completed", attempts: 2, output: { attempt: 2 } });
      const attempts = await runtime.executor.attempts.list(id);
      expect(attempts.map((a) => a.status)).toEqual(["lost", "completed"]);
      // Recovered by the reaper, not by a new lease period (a fresh worker loads in between).
      expect(recoveredIn).toBeLessThan(LEASE_MS + 60_000);
      const lost = attempts[0]!;
      expect(lost.finishedAt!.getTime() - killedAt).toBeLessThan(LEASE_MS);
    });
  }, 240_000);

  it("retries a run whose task file failed to import, in a fresh worker that imports it again", async () => {
    await withRuntime({}, async (runtime) => {
      // Created after the runtime indexed the file: only the worker's import sees it.
      writeFileSync(IMPORT_FAILS_MARKER, "");
      let id: string;
      try {
        ({ id } = await runtime.executor.store.create({
          taskId: "isolation-import-fails-once",
          payload: "{}",
          payloadType: "application/json",
        }));
        runtime.executor.wake();
        // The retry waits 2 s: the marker goes before it starts.
        await waitUntil(
          async () => (await runtime.executor.attempts.list(id)).length > 0,
          90_000,
          "the first attempt to fail at import",
        );
      } finally {
        rmSync(IMPORT_FAILS_MARKER, { force: true });
      }
      const row = await runtime.executor.waitFor(id, 90_000);
      expect(row).toMatchObject({ status: "completed", attempts: 2, output: { attempt: 2 } });
      const attempts = await runtime.executor.attempts.list(id);
      expect(attempts.map((a) => a.status)).toEqual(["retrying", "completed"]);
      expect(attempts[0]!.error).toMatchObject({ message: expect.stringMatching(/marker file exists/) });
      // A later run of the file uses the fresh worker too.
      expect(await run(runtime, "isolation-import-fails-once", {})).toMatchObject({ status: "completed" });
    });
  }, 240_000);

  it("terminates a worker whose task blocks its event loop past maxDuration and fails the run as timed out", async () => {
    await withRuntime({}, async (runtime) => {
      const { id } = await runtime.executor.store.create({
        taskId: "isolation-busy-loop",
        payload: "{}",
        payloadType: "application/json",
      });
      runtime.executor.wake();
      const thread = await waitUntil(
        async () => {
          const row = await runtime.executor.store.get(id);
          return row?.status === "running" && runtime.workers?.threadOf(`${FIXTURES}/busy-loop.ts`);
        },
        90_000,
        "the attempt to run in its worker",
      );
      const startedAt = Date.now();
      const row = await runtime.executor.waitFor(id, 20_000);
      // maxDuration 1 s plus the 3 s grace, not the lease renewed forever.
      expect(Date.now() - startedAt).toBeLessThan(12_000);
      expect(row).toMatchObject({
        status: "failed",
        attempts: 1,
        error: { code: "MAX_DURATION_EXCEEDED", message: expect.stringMatching(/maxDuration exceeded/) },
      });
      expect(runtime.workers?.threadOf(`${FIXTURES}/busy-loop.ts`)).not.toBe(thread);
    });
  }, 60_000);

  it("takes an idle worker out of use before terminating it, so a run sent meanwhile gets a fresh worker", async () => {
    await withRuntime({ workerIdleMs: 2_000 }, async (runtime) => {
      const file = `${FIXTURES}/announce.ts`;
      expect(await run(runtime, "isolation-announce", { text: "one" })).toMatchObject({
        status: "completed",
      });
      const thread = runtime.workers!.threadOf(file)!;
      const stillInUse: boolean[] = [];
      let raced: Promise<unknown> | undefined;
      const terminate = thread.terminate.bind(thread);
      thread.terminate = () => {
        // The moment the idle timer stops the worker: a run of its file arrives.
        stillInUse.push(runtime.workers!.threadOf(file) === thread);
        raced ??= run(runtime, "isolation-announce", { text: "two" });
        return terminate();
      };
      await waitUntil(async () => raced, 30_000, "the idle worker to stop");
      expect(stillInUse[0]).toBe(false);
      expect(await raced).toMatchObject({ status: "completed", attempts: 1, output: { announced: "TWO!" } });
    });
  }, 120_000);

  it("stops the least recently used idle worker past SWITCHBOARD_MAX_TASK_WORKERS", async () => {
    process.env.SWITCHBOARD_MAX_TASK_WORKERS = "1";
    try {
      await withRuntime({}, async (runtime) => {
        expect(await run(runtime, "isolation-announce", { text: "a" })).toMatchObject({
          status: "completed",
        });
        expect(runtime.workers?.threadOf(`${FIXTURES}/announce.ts`)).toBeDefined();
        const explicit = await run(runtime, "isolation-shout-explicit", { text: "b" });
        expect(explicit).toMatchObject({ status: "completed" });
        expect(runtime.workers?.threadOf(`${FIXTURES}/announce.ts`)).toBeUndefined();
        expect(runtime.workers?.threadOf(`${FIXTURES}/shout-importing-its-needs.ts`)).toBeDefined();
        // The stopped file's next run starts a worker again.
        expect(await run(runtime, "isolation-announce", { text: "c" })).toMatchObject({
          status: "completed",
        });
      });
    } finally {
      delete process.env.SWITCHBOARD_MAX_TASK_WORKERS;
    }
  }, 120_000);
});
