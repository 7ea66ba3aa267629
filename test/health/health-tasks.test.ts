import type { TaskRunContext } from "@trigger.dev/core/v3";
import { lifecycleHooks } from "@trigger.dev/core/v3";
import { runInMockTaskContext } from "@trigger.dev/core/v3/test";
import { metadata } from "@trigger.dev/sdk";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadTaskCatalog, type TaskCatalog } from "../../local/executor/task-catalog.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { buildDeps } from "../../src/build-deps.ts";
import { resetConfig } from "../../src/config.ts";
import { setDeps } from "../../src/deps.ts";
import { createTestDb } from "../helpers/test-db.ts";
import { createHealthFixture, type HealthFixture, keys } from "./health-fixture.ts";

let fx: HealthFixture;
let sentry: Simulator;
let tasks: TaskCatalog;
let failureHooks: ReturnType<typeof lifecycleHooks.getGlobalFailureHooks> = [];

beforeAll(async () => {
  sentry = await startSimulator({ "POST /api/42/envelope/": () => ({ body: { id: "ok" } }) });
  process.env.SENTRY_DSN = `http://publickey@127.0.0.1:${sentry.port}/42`;
  resetConfig();
  tasks = await loadTaskCatalog(["trigger/health"]); // installs the run context, as a worker does
  await import("../../trigger/init.ts"); // then Sentry and the global failure hook
  // Kept now: the mock task context replaces the global hook manager with an empty one.
  failureHooks = lifecycleHooks.getGlobalFailureHooks();
  fx = await createHealthFixture();
});
afterAll(async () => {
  setDeps(undefined);
  delete process.env.SENTRY_DSN;
  await fx?.close();
  await sentry?.close();
});
beforeEach(async () => {
  await fx.reset();
  sentry.requests.length = 0;
  setDeps(fx.deps);
});

/** Runs a task's real `run` as a worker would, then (on failure) the init file's onFailure hooks. */
async function run(id: string, payload: unknown) {
  const task = tasks.get(id)!;
  return runInMockTaskContext(
    async ({ ctx }) => {
      try {
        const output = await task.run(payload, { ctx, signal: new AbortController().signal });
        return { output, progress: metadata.current(), error: undefined };
      } catch (error) {
        for (const hook of failureHooks) {
          await hook.fn({ ctx: ctx as TaskRunContext, payload, task: id, error, signal: undefined } as never);
        }
        return { output: undefined, progress: metadata.current(), error };
      }
    },
    { ctx: { task: { id } } },
  );
}

function sentryEvents(): { tags: Record<string, string>; extra?: Record<string, unknown> }[] {
  return sentry
    .requestsTo("POST /api/42/envelope/")
    .map((r) => r.body.split("\n"))
    .filter((lines) => JSON.parse(lines[1]!).type === "event")
    .map((lines) => JSON.parse(lines[2]!));
}

describe("health tasks on a worker", () => {
  it("a chunk run publishes its progress (processed/total) in run metadata", async () => {
    const ids = [
      await fx.connect("lob", { api_key: keys.lob! }, "A"),
      await fx.connect("lob", { api_key: keys.lob! }, "B"),
    ];
    const { output, progress } = await run("health-check-connections", {
      provider: "lob",
      connectionIds: ids,
    });
    expect(output).toMatchObject({ checked: 2 });
    expect(progress).toMatchObject({ processed: 2, total: 2 });
  });

  it("the sweep publishes processed/total once it has fanned out", async () => {
    await fx.connect("lob", { api_key: keys.lob! });
    const { output, progress } = await run("health-sweep", {
      type: "DECLARATIVE",
      timestamp: new Date("2026-12-05T04:05:00Z"),
    });
    expect(output).toMatchObject({ due: 1, chunks: 1 });
    expect(progress).toMatchObject({ processed: 1, total: 1 });
  });

  it("a failed chunk run reaches Sentry, flushed before the hook returns, tagged with task, run and provider, naming its connections", async () => {
    const broken = await createTestDb();
    await broken.close(); // every statement of this run fails
    setDeps(buildDeps({ db: broken.db, keyRing: fx.deps.keyRing, jobs: fx.deps.jobs, env: fx.deps.env }));
    const ids = ["00000000-0000-4000-8000-000000000001", "00000000-0000-4000-8000-000000000002"];
    expect(failureHooks).toHaveLength(1);
    const { error } = await run("health-check-connections", { provider: "lob", connectionIds: ids });
    expect(error).toBeDefined();
    // captureFailure flushed: the envelope is already on the Sentry simulator when the hook returns.
    const [event] = sentryEvents();
    expect(event?.tags).toMatchObject({ taskId: "health-check-connections", provider: "lob" });
    expect(event?.tags.runId).toBeTruthy();
    expect(event?.extra).toMatchObject({ connectionIds: ids });
  });
});
