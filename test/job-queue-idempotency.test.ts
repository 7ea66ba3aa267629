import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RunView } from "../local/executor/run-store.ts";
import { type Runtime, startRuntime } from "../local/runtime.ts";
import { createTriggerJobQueue } from "../src/jobs.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let db: TestDb;
let runtime: Runtime;
const jobs = createTriggerJobQueue();

beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({ db, port: 0, secretKey: "tr_test", sandbox: false, cron: false });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
});

const run = async (id: string) =>
  (await (
    await fetch(`${runtime.url}/runs/${id}`, { headers: { authorization: "Bearer tr_test" } })
  ).json()) as RunView;
const payload = () => ({ connectionId: crypto.randomUUID() });

describe("the Trigger.dev job queue (through the SDK)", () => {
  it("sends the idempotency key with a trigger: the run API shows it and a repeat gets the same run", async () => {
    const options = { idempotencyKey: `token-refresh:${crypto.randomUUID()}:v1`, delay: "1h" };
    const first = await jobs.trigger("token-refresh-connection", payload(), options);
    const again = await jobs.trigger("token-refresh-connection", payload(), options);
    expect(again).toEqual({ id: first.id, isCached: true });
    expect((await run(first.id)).idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    const other = await jobs.trigger("token-refresh-connection", payload(), { delay: "1h" });
    expect(other.id).not.toBe(first.id);
    expect((await run(other.id)).idempotencyKey).toBeNull();
  });

  it("sends each batch item's idempotency key: the run API shows them and a repeated batch starts nothing", async () => {
    const keys = [crypto.randomUUID(), crypto.randomUUID()];
    const items = keys.map((key) => ({
      payload: payload(),
      options: { idempotencyKey: `token-refresh:${key}:v1`, delay: "1h" },
    }));
    const first = await jobs.batchTrigger("token-refresh-connection", items);
    expect(first.runCount).toBe(2);
    await jobs.batchTrigger("token-refresh-connection", items);
    const runs = (await (
      await fetch(`${runtime.url}/runs?taskId=token-refresh-connection&limit=1000`, {
        headers: { authorization: "Bearer tr_test" },
      })
    ).json()) as RunView[];
    const batchRuns = runs.filter((r) => r.batchId === first.batchId);
    expect(batchRuns).toHaveLength(2);
    for (const r of batchRuns) expect(r.idempotencyKey).toMatch(/^[0-9a-f]{64}$/);
    const withTheseKeys = runs.filter((r) => batchRuns.some((b) => b.idempotencyKey === r.idempotencyKey));
    expect(withTheseKeys).toHaveLength(2);
  });
});
