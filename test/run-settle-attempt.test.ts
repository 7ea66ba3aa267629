import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AttemptLog } from "../local/executor/attempt-log.ts";
import { RunStore } from "../local/executor/run-store.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

// A run seen settled already lists the attempt that settled it: one statement writes both.
let db: TestDb;
let store: RunStore;
let log: AttemptLog;

beforeAll(async () => {
  db = await createTestDb();
  store = new RunStore(db.db);
  log = new AttemptLog(db.db);
});
afterAll(async () => {
  await db?.close();
});

/** A run leased by `owner` on its first attempt; `lapsed` leaves its lease expired. */
async function leased(owner: string, lapsed = false): Promise<string> {
  const { id } = await store.create({
    taskId: "settle-test",
    payload: "{}",
    payloadType: "application/json",
  });
  const until = lapsed ? sql`now() - interval '1 second'` : sql`now() + interval '1 minute'`;
  await db.db.execute(sql`update task_runs set status = 'running', attempts = 1, lease_owner = ${owner},
      lease_until = ${until}, started_at = now() where id = ${id}`);
  return id;
}

describe("settling a run records its attempt in the same statement", () => {
  it("writes the completed run and its attempt together", async () => {
    const id = await leased("executor_a");
    const startedAt = new Date(Date.now() - 1_500);
    await store.finish(
      id,
      "executor_a",
      { status: "completed", output: { ok: true } },
      {
        number: 1,
        status: "completed",
        startedAt,
      },
    );
    expect(await store.get(id)).toMatchObject({
      status: "completed",
      leaseOwner: null,
      output: { ok: true },
    });
    const [attempt, ...rest] = await log.list(id);
    expect(rest).toEqual([]);
    expect(attempt).toMatchObject({ number: 1, status: "completed", error: null, retryDelayMs: null });
    expect(attempt!.startedAt!.getTime()).toBe(startedAt.getTime());
  });

  it("keeps a retry's error and rounded delay with the attempt", async () => {
    const id = await leased("executor_a");
    const error = { name: "Error", message: "provider said 503" };
    await store.finish(
      id,
      "executor_a",
      { status: "queued", error },
      {
        number: 1,
        status: "retrying",
        error,
        retryDelayMs: 1234.6,
      },
    );
    expect(await store.get(id)).toMatchObject({ status: "queued", error });
    expect(await log.list(id)).toMatchObject([
      { status: "retrying", error, retryDelayMs: 1235, startedAt: null },
    ]);
  });

  it("records nothing when another executor owns the run", async () => {
    const id = await leased("executor_b");
    await store.finish(id, "executor_a", { status: "completed" }, { number: 1, status: "completed" });
    expect(await store.get(id)).toMatchObject({ status: "running", leaseOwner: "executor_b" });
    expect(await log.list(id)).toEqual([]);
  });

  it("records a reaped run's lost attempt with the reap, once", async () => {
    const id = await leased("executor_dead", true);
    const row = (await store.get(id))!;
    const error = { name: "LeaseExpired", message: "gone" };
    expect(await store.reap(row, "failed", error)).toBe(true);
    expect(await store.get(id)).toMatchObject({ status: "failed", leaseOwner: null });
    expect(await log.list(id)).toMatchObject([{ number: 1, status: "lost", error }]);
    // A second reaper that read the same row finds nothing to take and records nothing more.
    expect(await store.reap(row, "queued", error)).toBe(false);
    expect(await log.list(id)).toHaveLength(1);
  });

  it("leaves a run whose lease is still current to its executor", async () => {
    const id = await leased("executor_alive");
    expect(await store.reap((await store.get(id))!, "queued", { message: "x" })).toBe(false);
    expect(await store.get(id)).toMatchObject({ status: "running", leaseOwner: "executor_alive" });
    expect(await log.list(id)).toEqual([]);
  });

  it("settles a run whose output or error holds text jsonb refuses (NUL, a lone surrogate), with its attempt", async () => {
    const failed = await leased("executor_a");
    const error = { name: "Error", message: "provider said a\u0000b \ud800" };
    await store.finish(
      failed,
      "executor_a",
      { status: "failed", error },
      { number: 1, status: "failed", error },
    );
    const stored = { name: "Error", message: "provider said a\ufffdb \ufffd" };
    expect(await store.get(failed)).toMatchObject({ status: "failed", error: stored, leaseOwner: null });
    expect(await log.list(failed)).toMatchObject([{ status: "failed", error: stored }]);

    const completed = await leased("executor_a");
    const output = { "k\u0000": ["\udc00 ok \ud83d\ude00"] };
    await store.finish(
      completed,
      "executor_a",
      { status: "completed", output },
      { number: 1, status: "completed" },
    );
    expect(await store.get(completed)).toMatchObject({
      status: "completed",
      output: { "k\ufffd": ["\ufffd ok \ud83d\ude00"] },
    });
    expect(await log.list(completed)).toMatchObject([{ status: "completed" }]);
  });
});
