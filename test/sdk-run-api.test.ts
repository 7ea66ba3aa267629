import { batch, runs, schedules, tasks } from "@trigger.dev/sdk";
import { beforeEach, describe, expect, it } from "vitest";
import { useFixtureRuntime } from "./helpers/fixture-runtime.ts";
import { waitUntil } from "./helpers/wait-until.ts";

// App code's view of `npm start`: every call goes through the real @trigger.dev/sdk.
const SECRET = "tr_test_run_api";

const fx = useFixtureRuntime({ secretKey: SECRET, cron: true, leaseMs: 3_000 });
beforeEach(async () => {
  await fx.runtime.cron.reload();
});

const raw = (path: string, init: RequestInit = {}, key: string | null = SECRET) =>
  fetch(`${fx.runtime.url}${path}`, {
    ...init,
    headers: { "content-type": "application/json", ...(key ? { authorization: `Bearer ${key}` } : {}) },
  });
const statusOf = async (id: string) => (await runs.retrieve(id)).status;

describe("the SDK's run API against the local runtime", () => {
  it("runs.retrieve and runs.poll: payload, output, attempt count and status flags", async () => {
    const handle = await tasks.trigger("test-child", { n: 21 }, { tags: ["order_1"] });
    const run = await runs.poll(handle, { pollIntervalMs: 100 });
    expect(run).toMatchObject({
      id: handle.id,
      status: "COMPLETED",
      taskIdentifier: "test-child",
      isSuccess: true,
      isCompleted: true,
      payload: { n: 21 },
      output: { doubled: 42 },
      attemptCount: 1,
      tags: ["order_1"],
    });
  });

  it("runs.list filters by task, status and tag and pages with cursors", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await tasks.trigger("test-child", { n: i }, { tags: ["page-me"] })).id);
    await tasks.trigger("test-child", { n: 99 }, { tags: ["other"] });
    for (const id of ids) await runs.poll(id, { pollIntervalMs: 100 });
    const first = await runs.list({
      taskIdentifier: "test-child",
      tag: "page-me",
      status: "COMPLETED",
      limit: 2,
    });
    expect(first.data).toHaveLength(2);
    expect(first.hasNextPage()).toBe(true);
    const second = await first.getNextPage();
    expect(second.data.map((r) => r.id)).not.toContain(first.data[0]!.id);
    expect((await second.getPreviousPage()).data.map((r) => r.id)).toEqual(first.data.map((r) => r.id));
    const all: string[] = [];
    for await (const run of runs.list({ tag: "page-me", limit: 2 })) all.push(run.id);
    expect(all.sort()).toEqual([...ids].sort());
    expect((await runs.list({ status: "FAILED", tag: "page-me" })).data).toEqual([]);
  });

  it("refuses malformed runs.list parameters with a 400 naming them", async () => {
    for (const query of ["page[size]=0", "filter[status]=NOPE", "filter[createdAt][from]=soon", "bogus=1"]) {
      const response = await raw(`/api/v1/runs?${query}`);
      expect(response.status, query).toBe(400);
      expect((await response.json()).error).toMatch(
        /page\[size\]|filter\[status\]|filter\[createdAt\]|bogus/,
      );
    }
  });

  it("runs.cancel stops a delayed run and a running one; runs.reschedule moves a delayed run", async () => {
    const delayed = await tasks.trigger("test-child", { n: 1 }, { delay: "1h" });
    expect(await runs.retrieve(delayed.id)).toMatchObject({
      status: "DELAYED",
      delayedUntil: expect.any(Date),
    });
    await runs.cancel(delayed.id);
    expect(await statusOf(delayed.id)).toBe("CANCELED");

    const slow = await tasks.trigger("test-slow", { ms: 8_000 });
    await waitUntil(async () => (await statusOf(slow.id)) === "EXECUTING", 20_000);
    await runs.cancel(slow.id);
    await new Promise((r) => setTimeout(r, 300));
    expect(await statusOf(slow.id)).toBe("CANCELED");

    const later = await tasks.trigger("test-child", { n: 3 }, { delay: "1h" });
    const moved = await runs.reschedule(later.id, { delay: "1s" });
    expect(moved.status).toBe("DELAYED");
    expect((await runs.poll(later.id, { pollIntervalMs: 200 })).output).toMatchObject({ doubled: 6 });
    await expect(runs.reschedule(later.id, { delay: "1m" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("only DELAYED runs"),
    });
  });

  it("runs.replay starts a new run of the same task with the same payload", async () => {
    const original = await tasks.trigger("test-child", { n: 5 });
    await runs.poll(original.id, { pollIntervalMs: 100 });
    const replayed = await runs.replay(original.id);
    expect(replayed.id).not.toBe(original.id);
    expect(await runs.poll(replayed.id, { pollIntervalMs: 100 })).toMatchObject({ output: { doubled: 10 } });
  });

  it("batch.retrieve reports a batch's runs, and a batch with more items than declared is refused", async () => {
    const handle = await tasks.batchTrigger("test-child", [{ payload: { n: 1 } }, { payload: { n: 2 } }]);
    const retrieved = await waitUntil(async () => {
      const b = await batch.retrieve(handle.batchId);
      return b.status === "COMPLETED" ? b : undefined;
    });
    expect(retrieved.runCount).toBe(2);
    expect(retrieved.runs).toHaveLength(2);

    const created = await (
      await raw("/api/v3/batches", { method: "POST", body: JSON.stringify({ runCount: 1 }) })
    ).json();
    const item = (index: number) => JSON.stringify({ index, task: "test-child", payload: '{"n":1}' });
    const items = await raw(`/api/v3/batches/${created.id}/items`, {
      method: "POST",
      body: `${item(0)}\n${item(1)}\n`,
    });
    expect(items.status).toBe(400);
    expect((await items.json()).error).toContain("declared 1 item");
    expect((await runs.list({ batch: created.id })).data).toEqual([]);
  });

  it("metadata given at trigger time and set inside the run is visible through runs.retrieve while it runs", async () => {
    const handle = await tasks.trigger(
      "test-metadata-progress",
      { ms: 2_500 },
      { metadata: { source: "app" } },
    );
    const during = await waitUntil(async () => {
      const run = await runs.retrieve(handle.id);
      return run.status === "EXECUTING" && run.metadata?.progress === 3 ? run : undefined;
    }, 20_000);
    expect(during.metadata).toEqual({ source: "app", progress: 3 });
    const done = await runs.poll(handle.id, { pollIntervalMs: 200 });
    expect(done.metadata).toEqual({ source: "app", progress: 3, done: true });
  });

  it("honours ttl, maxAttempts, machine, tags and priority", async () => {
    // One at a time on the same key: a blocker keeps the others queued.
    const blocker = await tasks.trigger("test-slow", { ms: 2_500 }, { concurrencyKey: "k" });
    await waitUntil(async () => (await statusOf(blocker.id)) === "EXECUTING", 20_000);
    const expiring = await tasks.trigger("test-slow", { ms: 1 }, { concurrencyKey: "k", ttl: "1s" });
    const normal = await tasks.trigger("test-slow", { ms: 1 }, { concurrencyKey: "k" });
    const urgent = await tasks.trigger("test-slow", { ms: 1 }, { concurrencyKey: "k", priority: 60 });
    await waitUntil(async () => (await statusOf(expiring.id)) === "EXPIRED", 20_000);
    const [n, u] = await Promise.all([
      runs.poll(normal.id, { pollIntervalMs: 100 }),
      runs.poll(urgent.id, { pollIntervalMs: 100 }),
    ]);
    expect((u.output as { startedAt: number }).startedAt).toBeLessThan(
      (n.output as { startedAt: number }).startedAt,
    );

    const once = await tasks.trigger("test-always-fails", {}, { maxAttempts: 1 });
    expect(await runs.poll(once.id, { pollIntervalMs: 100 })).toMatchObject({
      status: "FAILED",
      attemptCount: 1,
    });

    const ctx = await tasks.trigger(
      "test-context",
      {},
      { machine: "large-1x", tags: ["a", "b"], maxAttempts: 2 },
    );
    expect((await runs.poll(ctx.id, { pollIntervalMs: 100 })).output).toMatchObject({
      machine: "large-1x",
      maxAttempts: 2,
      tags: ["a", "b"],
    });
  });

  it("refuses options it cannot honour, and undeclared queues, with a 400 naming them", async () => {
    await expect(tasks.trigger("test-child", { n: 1 }, { region: "eu-central-1" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("region"),
    });
    await expect(tasks.trigger("test-child", { n: 1 }, { maxDuration: 5 })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining("maxDuration"),
    });
    await expect(tasks.trigger("test-child", { n: 1 }, { queue: "not-declared" })).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('"not-declared" is not declared'),
    });
    expect((await runs.list({ taskIdentifier: "test-child" })).data).toEqual([]);
  });

  it("imperative schedules: create (deduplicated), list, retrieve, deactivate, activate; window gives a stable offset", async () => {
    const options = {
      task: "test-every-minute",
      cron: "0 * * * *",
      deduplicationKey: "local-tenant-1",
      externalId: "tenant-1",
      window: "30m",
    } as const;
    const created = await schedules.create(options);
    expect(created).toMatchObject({
      type: "IMPERATIVE",
      active: true,
      externalId: "tenant-1",
      task: "test-every-minute",
    });
    const again = await schedules.create({ ...options, cron: "5 * * * *" });
    expect(again.id).toBe(created.id);
    expect(again.generator.expression).toBe("5 * * * *");
    const offset = again.nextRunEffectiveAt!.getTime() - again.nextRun!.getTime();
    expect(offset).toBeGreaterThanOrEqual(0);
    expect(offset).toBeLessThan(30 * 60_000);
    const retrieved = await schedules.retrieve(created.id);
    expect(retrieved.nextRunEffectiveAt!.getTime() - retrieved.nextRun!.getTime()).toBe(offset);
    const listed = await schedules.list({ perPage: 100 });
    expect(listed.data.map((s) => s.id)).toEqual(
      expect.arrayContaining([created.id, "sched_local_test-every-minute"]),
    );
    expect((await schedules.deactivate(created.id)).active).toBe(false);
    expect((await schedules.activate(created.id)).active).toBe(true);
    await expect(
      schedules.create({ ...options, deduplicationKey: "x", cron: "not a cron" }),
    ).rejects.toMatchObject({
      status: 400,
    });
  });

  it("fires an imperative schedule's tick as an IMPERATIVE run of its task", async () => {
    const created = await schedules.create({
      task: "test-every-minute",
      cron: "* * * * *",
      deduplicationKey: "tick-test",
    });
    const task = fx.runtime.catalog.get("test-every-minute")!;
    const schedule = {
      id: created.id,
      type: "IMPERATIVE" as const,
      cron: "* * * * *",
      timezone: "UTC",
      window: null,
    };
    const handle = await fx.runtime.cron.fire({ task, schedule }, new Date("2026-01-01T10:00:00Z"));
    const run = await runs.poll(handle.id, { pollIntervalMs: 100 });
    expect(run.output).toMatchObject({ scheduleType: "IMPERATIVE", timestamp: "2026-01-01T10:00:00.000Z" });
    // The runtime's own cron may also fire this every-minute schedule if a minute turns meanwhile.
    const listed = (await runs.list({ schedule: created.id })).data;
    expect(listed.map((r) => r.id)).toContain(handle.id);
    expect(listed.every((r) => r.taskIdentifier === "test-every-minute")).toBe(true);
  });

  it("runs.subscribeToRun yields the run's status changes and ends when the run finishes", async () => {
    const handle = await tasks.trigger("test-slow", { ms: 1_500 }, { tags: ["watched"] });
    const statuses: string[] = [];
    let last: Awaited<ReturnType<typeof runs.retrieve>> | undefined;
    for await (const run of runs.subscribeToRun(handle.id)) {
      if (statuses.at(-1) !== run.status) statuses.push(run.status);
      last = run as never;
    }
    expect(statuses).toContain("EXECUTING");
    expect(statuses.at(-1)).toBe("COMPLETED");
    expect(last).toMatchObject({
      id: handle.id,
      taskIdentifier: "test-slow",
      payload: { ms: 1_500 },
      output: { startedAt: expect.any(Number) },
      tags: ["watched"],
      isSuccess: true,
    });
    expect(last?.finishedAt).toBeInstanceOf(Date);
  }, 60_000);

  it("runs.subscribeToRun ends with the error of a run that fails", async () => {
    const handle = await tasks.trigger("test-fails-permanently", {});
    let last: { status: string; error?: { message: string } } | undefined;
    for await (const run of runs.subscribeToRun(handle.id)) last = run as never;
    expect(last).toMatchObject({ status: "FAILED", error: { message: "this input can never succeed" } });
  }, 60_000);

  it("answers the realtime subscriptions it does not serve at once with a clear 400", async () => {
    const response = await raw("/realtime/v1/batches/batch_1?offset=-1");
    expect(response.status).toBe(400);
    expect((await response.json()).error).toContain("runs.subscribeToRun");
  });

  it("caps payloads at Trigger.dev's limits with 413", async () => {
    const big = "x".repeat(3 * 1024 * 1024 + 10);
    const response = await raw("/api/v1/tasks/test-child/trigger", {
      method: "POST",
      body: JSON.stringify({ payload: JSON.stringify({ n: 1, big }), options: {} }),
    });
    expect(response.status).toBe(413);
    const body = await response.text();
    expect(body).not.toContain("xxxxxxxx");
    await expect(
      tasks.trigger("test-child", { n: 1, pad: "y".repeat(600 * 1024) } as never),
    ).rejects.toMatchObject({
      status: 413,
    });
  });

  it("requires the runtime's key for the run API, /runs and the survey answers", async () => {
    for (const path of ["/api/v1/runs", "/runs", "/api/v1/schedules", "/schedules", "/surveys/status"]) {
      expect((await raw(path, {}, null)).status, path).toBe(401);
      expect((await raw(path, {}, "wrong")).status, path).toBe(401);
      expect((await raw(path)).status, path).toBe(200);
    }
  });
});
