import { createHash } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { createTriggerHttpJobQueue } from "./trigger-http-job-queue.ts";

let trigger: Simulator;
let n = 0;
beforeAll(async () => {
  trigger = await startSimulator({ "POST /api/v1/tasks/*": () => ({ body: { id: `run_${++n}` } }) });
});
afterAll(async () => trigger?.close());
beforeEach(() => {
  trigger.requests.length = 0;
  trigger.clearFaults();
});

describe("fetch-only trigger client", () => {
  const jobs = () => createTriggerHttpJobQueue({ apiUrl: trigger.url, secretKey: "tr_k" });

  it("sends the SDK's wire format with a global idempotency key hashed like idempotencyKeys.create", async () => {
    const handle = await jobs().trigger(
      "inbox-process-stripe-event",
      { eventId: "e1" },
      { idempotencyKey: "stripe:evt_1", tags: ["t"] },
    );
    expect(handle.id).toMatch(/^run_/);
    const [request] = trigger.requests;
    expect(request!.path).toBe("/api/v1/tasks/inbox-process-stripe-event/trigger");
    expect(request!.headers.authorization).toBe("Bearer tr_k");
    const body = JSON.parse(request!.body) as { payload: string; options: Record<string, unknown> };
    expect(JSON.parse(body.payload)).toEqual({ eventId: "e1" });
    expect(body.options).toMatchObject({
      payloadType: "application/json",
      idempotencyKey: createHash("sha256").update("stripe:evt_1").digest("hex"),
      idempotencyKeyOptions: { key: "stripe:evt_1", scope: "global" },
      tags: ["t"],
    });
  });

  it("retries a 5xx and a dropped connection, but not a 4xx", async () => {
    trigger.fault("POST /api/v1/tasks/*", { status: 503, times: 1 });
    trigger.fault("*", { drop: true, times: 1 });
    await jobs().trigger("t", {});
    expect(trigger.requests.length).toBeGreaterThanOrEqual(2);
    trigger.requests.length = 0;
    trigger.fault("POST /api/v1/tasks/*", { status: 404, times: 1 });
    await expect(jobs().trigger("t", {})).rejects.toMatchObject({
      code: "trigger_rejected",
      retryable: false,
    });
    expect(trigger.requests).toHaveLength(1);
  });

  it("gives up after three attempts with a retryable error", async () => {
    trigger.fault("POST /api/v1/tasks/*", { status: 502, times: 5 });
    await expect(jobs().trigger("t", {})).rejects.toMatchObject({ code: "unavailable", retryable: true });
    expect(trigger.requests).toHaveLength(3);
  });

  it("triggers every item of a batch", async () => {
    const result = await jobs().batchTrigger(
      "t",
      Array.from({ length: 25 }, (_, i) => ({ payload: { i } })),
    );
    expect(result.runCount).toBe(25);
    expect(trigger.requests).toHaveLength(25);
  });

  it("maps every trigger option to the wire format, and sends none that were not given", async () => {
    await jobs().trigger(
      "t",
      { a: 1 },
      { idempotencyKeyTTL: "1h", concurrencyKey: "tenant-1", queue: "q1", delay: "5m" },
    );
    await jobs().trigger("t", { a: 2 });
    const [full, bare] = trigger.requests.map((r) => (JSON.parse(r.body) as { options: unknown }).options);
    expect(full).toEqual({
      payloadType: "application/json",
      idempotencyKeyTTL: "1h",
      concurrencyKey: "tenant-1",
      queue: { name: "q1" },
      delay: "5m",
    });
    expect(bare).toEqual({ payloadType: "application/json" });
    expect(trigger.requests[0]!.headers["content-type"]).toBe("application/json");
  });

  it("reports a cached run, encodes the task id, and trims trailing slashes of the API URL", async () => {
    const cached = await startSimulator({
      "POST /api/v1/tasks/*": () => ({ body: { id: "run_c", isCached: true } }),
    });
    try {
      const queue = createTriggerHttpJobQueue({ apiUrl: `${cached.url}//`, secretKey: "k" });
      expect(await queue.trigger("a b/c", {})).toEqual({ id: "run_c", isCached: true });
      expect(cached.requests[0]!.path).toBe("/api/v1/tasks/a%20b%2Fc/trigger");
    } finally {
      await cached.close();
    }
    expect(await jobs().trigger("t", {})).toEqual({ id: expect.stringMatching(/^run_/), isCached: false });
  });

  it("retries a 429, and names the task, status and answer of a rejection", async () => {
    trigger.fault("POST /api/v1/tasks/*", { status: 429, times: 1 });
    await jobs().trigger("t", {});
    expect(trigger.requests).toHaveLength(2);
    trigger.requests.length = 0;
    trigger.fault("POST /api/v1/tasks/*", { status: 422, body: { error: "x".repeat(400) }, times: 1 });
    const error = (await jobs()
      .trigger("my-task", {})
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toMatch(/^Trigger\.dev rejected my-task \(422\): \{"error":"x+$/);
    expect(error.message.length).toBeLessThan(360);
  });

  it("answers a batch with the first item's run id, and an empty batch with none", async () => {
    const before = n;
    const result = await jobs().batchTrigger("t", [
      { payload: { i: 1 } },
      { payload: { i: 2 }, options: { tags: ["b"] } },
    ]);
    const bodies = trigger.requests.map(
      (r) => JSON.parse(r.body) as { payload: string; options: { tags?: string[] } },
    );
    const first = bodies.findIndex((b) => JSON.parse(b.payload).i === 1);
    expect(result).toEqual({ batchId: `run_${before + first + 1}`, runCount: 2 });
    expect(bodies[1 - first]!.options.tags).toEqual(["b"]);
    expect(await jobs().batchTrigger("t", [])).toEqual({ batchId: "", runCount: 0 });
  });

  it("retries a 500, and when it gives up names the task and keeps the last answer as the cause", async () => {
    trigger.fault("POST /api/v1/tasks/*", { status: 500, times: 1 });
    await jobs().trigger("t", {});
    expect(trigger.requests).toHaveLength(2);
    trigger.fault("POST /api/v1/tasks/*", { status: 502, times: 3 });
    const error = (await jobs()
      .trigger("my-task", {})
      .catch((e: unknown) => e)) as Error;
    expect(error.message).toBe("Could not trigger my-task");
    expect((error.cause as Error).message).toBe("Trigger.dev answered 502 for my-task");
  });
});
