import { request } from "node:http";
import { tasks } from "@trigger.dev/sdk";
import { describe, expect, it } from "vitest";
import type { RunView } from "../local/executor/run-store.ts";
import { useFixtureRuntime } from "./helpers/fixture-runtime.ts";
import { waitUntil } from "./helpers/wait-until.ts";

const SECRET = "tr_test_local";

async function getJson<T>(path: string): Promise<{ status: number; body: T }> {
  const response = await fetch(`${fx.runtime.url}${path}`, {
    headers: { authorization: `Bearer ${SECRET}` },
  });
  return { status: response.status, body: (await response.json()) as T };
}

const runOf = (id: string) => getJson<RunView>(`/runs/${id}`).then((r) => r.body);
const settled = (id: string) =>
  waitUntil(
    async () => {
      const run = await runOf(id);
      return run.status === "completed" || run.status === "failed" ? run : undefined;
    },
    20_000,
    `run ${id} to settle`,
  );

const fx = useFixtureRuntime({ secretKey: SECRET });

describe("local runtime", () => {
  it("answers /healthz with the database kind and sandbox flag", async () => {
    const { status, body } = await getJson("/healthz");
    expect(status).toBe(200);
    expect(body).toEqual({ status: "ok", database: fx.db.kind, sandbox: false });
  });

  it("executes a run created by a real SDK tasks.trigger call and lists it in /runs", async () => {
    const handle = await tasks.trigger("credentials-rotate-keys", {});
    const run = await settled(handle.id);
    expect(run).toMatchObject({
      id: handle.id,
      taskId: "credentials-rotate-keys",
      status: "completed",
      attempts: 1,
    });
    expect(run.output).toMatchObject({ rotated: 0, currentVersion: "v2" });
    const listed = await getJson<RunView[]>("/runs?taskId=credentials-rotate-keys&status=completed");
    expect(listed.body.map((r) => r.id)).toEqual([handle.id]);
    const none = await getJson<RunView[]>("/runs?taskId=credentials-rotate-keys&status=failed");
    expect(none.body).toEqual([]);
  });

  it("deduplicates triggers with the same idempotency key into one run", async () => {
    const first = await tasks.trigger("test-child", { n: 1 }, { idempotencyKey: "same-key" });
    const second = await tasks.trigger("test-child", { n: 2 }, { idempotencyKey: "same-key" });
    expect(second.id).toBe(first.id);
    expect((second as { isCached?: boolean }).isCached).toBe(true);
    await settled(first.id);
    const all = await getJson<RunView[]>("/runs?taskId=test-child");
    expect(all.body).toHaveLength(1);
  });

  it("answers 404 with a clear message for an unknown task id", async () => {
    await expect(tasks.trigger("no-such-task", {})).rejects.toMatchObject({
      status: 404,
      message: expect.stringContaining('Task "no-such-task" is not defined'),
    });
  });

  it("refuses a trigger without the runtime's secret key", async () => {
    const response = await fetch(`${fx.runtime.url}/api/v1/tasks/test-child/trigger`, {
      method: "POST",
      headers: { authorization: "Bearer wrong", "content-type": "application/json" },
      body: JSON.stringify({ payload: "{}" }),
    });
    expect(response.status).toBe(401);
    expect((await getJson<RunView[]>("/runs")).body).toEqual([]);
  });

  it("answers its key-protected API only to requests naming this machine (DNS rebinding)", async () => {
    const post = (host: string, path: string) =>
      new Promise<number>((resolve, reject) => {
        const url = new URL(path, fx.runtime.url);
        const body = JSON.stringify({ payload: '{"n":1}', options: { payloadType: "application/json" } });
        const req = request(
          url,
          {
            method: "POST",
            headers: {
              host,
              authorization: `Bearer ${SECRET}`,
              "content-type": "application/json",
              "content-length": Buffer.byteLength(body),
            },
          },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on("error", reject);
        req.end(body);
      });
    const port = new URL(fx.runtime.url).port;
    expect(await post(`rebind.attacker.example:${port}`, "/api/v1/tasks/test-child/trigger")).toBe(403);
    expect((await getJson<RunView[]>("/runs")).body).toEqual([]);
    expect(await post(`localhost:${port}`, "/api/v1/tasks/test-child/trigger")).toBe(200);
    // Webhook doors stay reachable through tunnels, whatever Host they name (no signature: 400).
    expect(await post(`abc.tunnel.example:${port}`, "/webhooks/stripe")).not.toBe(403);
  });

  it("retries a failing task by its policy, then marks it failed", async () => {
    const handle = await tasks.trigger("test-always-fails", {});
    const run = await settled(handle.id);
    expect(run.status).toBe("failed");
    expect(run.attempts).toBe(3);
    expect(run.error).toMatchObject({ message: "boom" });
  });

  it("does not retry an error marked not retryable (init.ts catchError mapping)", async () => {
    const handle = await tasks.trigger("test-fails-permanently", {});
    const run = await settled(handle.id);
    expect(run.status).toBe("failed");
    expect(run.attempts).toBe(1);
    expect(run.error).toMatchObject({ code: "validation_failed" });
  });

  it("waits retryAfterMs before the next attempt", async () => {
    const before = Date.now();
    const handle = await tasks.trigger("test-retry-after", {});
    const run = await settled(handle.id);
    expect(run.status).toBe("completed");
    expect(run.attempts).toBe(2);
    expect((run.output as { at: number }).at - before).toBeGreaterThanOrEqual(650);
  });

  it("fails a run whose payload does not match the task schema, without retrying", async () => {
    const handle = await tasks.trigger("test-slow", { ms: "soon" });
    const run = await settled(handle.id);
    expect(run).toMatchObject({ status: "failed", attempts: 1 });
    expect((run.error as { message: string }).message).toMatch(/Invalid payload for test-slow/);
  });

  it("runs one at a time per concurrency key on a queue limited to 1, and keys in parallel", async () => {
    const same = await Promise.all(
      [1, 2, 3].map(() => tasks.trigger("test-slow", { ms: 600 }, { concurrencyKey: "tenant-a" })),
    );
    const other = await tasks.trigger("test-slow", { ms: 150 }, { concurrencyKey: "tenant-b" });
    const runs = await Promise.all([...same, other].map((h) => settled(h.id)));
    const windows = runs.slice(0, 3).map((r) => r.output as { startedAt: number; endedAt: number });
    windows.sort((a, b) => a.startedAt - b.startedAt);
    for (let i = 1; i < windows.length; i++) {
      expect(windows[i]!.startedAt).toBeGreaterThanOrEqual(windows[i - 1]!.endedAt);
    }
    const b = runs[3]!.output as { startedAt: number; endedAt: number };
    const overlapsSomeA = windows.some((w) => b.startedAt < w.endedAt && w.startedAt < b.endedAt);
    expect(overlapsSomeA).toBe(true);
  });

  it("runs child runs triggered inside a run (trigger and batchTrigger) through the same executor", async () => {
    const parent = await tasks.trigger("test-parent", {});
    const run = await settled(parent.id);
    expect(run.status).toBe("completed");
    const { single, batchId } = run.output as { single: string; batchId: string };
    expect((await settled(single)).output).toMatchObject({ doubled: 20 });
    const children = await waitUntil(async () => {
      const rows = (await getJson<RunView[]>("/runs?taskId=test-child&status=completed")).body;
      return rows.filter((r) => r.batchId === batchId).length === 3 ? rows : undefined;
    });
    const doubled = children
      .filter((r) => r.batchId === batchId)
      .map((r) => (r.output as { doubled: number }).doubled)
      .sort((a, b) => a - b);
    expect(doubled).toEqual([2, 4, 6]);
    expect(children.every((r) => r.parentRunId === parent.id)).toBe(true);
  });

  it("fills in the schedule payload when a scheduled task is triggered by hand", async () => {
    const before = Date.now();
    const handle = await tasks.trigger("test-every-minute", {});
    const run = await settled(handle.id);
    expect(run.status).toBe("completed");
    const output = run.output as { timestamp: string; scheduleType: string };
    expect(output.scheduleType).toBe("DECLARATIVE");
    expect(Date.parse(output.timestamp)).toBeGreaterThanOrEqual(before - 1000);
  });

  it("registers cron schedules from the task manifests", async () => {
    const { body } = await getJson<{ taskId: string; cron: string; window: string | null }[]>("/schedules");
    expect(body).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ taskId: "credentials-rotate-keys", cron: "17 3 * * *", window: "30m" }),
        expect.objectContaining({ taskId: "test-every-minute", cron: "* * * * *", window: "0m" }),
      ]),
    );
  });

  it("fires one cron tick once even when two runtimes fire it", async () => {
    const task = fx.runtime.catalog.get("test-every-minute")!;
    const tick = new Date("2026-01-01T10:00:00Z");
    const [a, b] = await Promise.all([
      fx.runtime.cron.fire({ task }, tick),
      fx.runtime.cron.fire({ task }, tick),
    ]);
    expect(a.id).toBe(b.id);
    const run = await settled(a.id);
    expect(run.output).toMatchObject({ timestamp: "2026-01-01T10:00:00.000Z" });
  });
});
