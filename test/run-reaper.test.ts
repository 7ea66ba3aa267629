import { runs, tasks } from "@trigger.dev/sdk";
import { sql } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import { Executor } from "../local/executor/executor.ts";
import { openDb } from "../src/db/open-db.ts";
import { useFixtureRuntime } from "./helpers/fixture-runtime.ts";
import { waitUntil } from "./helpers/wait-until.ts";

// Runs stranded by a dead or disconnected executor come back while the runtime is up.
const SECRET = "tr_test_reaper";
const LEASE_MS = 2_000;

const fx = useFixtureRuntime({ secretKey: SECRET, leaseMs: LEASE_MS });

/** Leaves a run as a `kill -9` of its executor does: running, owned by a dead executor, lease lapsed. */
async function strand(runId: string, attempts: number): Promise<void> {
  await fx.db.db.execute(sql`update task_runs set status = 'running', attempts = ${attempts},
      lease_owner = 'executor_killed', lease_until = now() - interval '1 second', started_at = now()
    where id = ${runId}`);
}

// The fixture file's worker starts before the timings below: they measure the reaper, not a start-up.
beforeAll(async () => {
  await fx.runtime.workers?.prepare(fx.runtime.catalog.get("test-child")!);
});

describe("the run reaper", () => {
  it("re-queues a run stranded by a killed executor and runs it to completion, without a restart", async () => {
    const handle = await tasks.trigger("test-child", { n: 4 }, { delay: "1h" });
    await strand(handle.id, 1);
    const started = Date.now();
    const run = await runs.poll(handle.id, { pollIntervalMs: 100 });
    expect(run).toMatchObject({ status: "COMPLETED", output: { doubled: 8 }, attemptCount: 2 });
    expect(Date.now() - started).toBeLessThan(LEASE_MS + 5_000);
  });

  it("marks a stranded run failed when it has used its attempts", async () => {
    const handle = await tasks.trigger("test-child", { n: 4 }, { delay: "1h", maxAttempts: 2 });
    await strand(handle.id, 2);
    const run = await runs.poll(handle.id, { pollIntervalMs: 100 });
    expect(run.status).toBe("FAILED");
    expect(run.error?.message).toMatch(/stopped renewing its lease/);
  });

  it("leaves a run alone while its executor keeps renewing the lease", async () => {
    const handle = await tasks.trigger("test-slow", { ms: LEASE_MS * 2 });
    const run = await runs.poll(handle.id, { pollIntervalMs: 100 });
    expect(run).toMatchObject({ status: "COMPLETED", attemptCount: 1 });
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    "recovers a run whose executor lost its database connections",
    async () => {
      const handle = await tasks.trigger("test-slow", { ms: 4_000 }, { delay: "1h" });
      // A second executor on its own connections claims the run, then loses them.
      const other = await openDb({ url: fx.db.url! });
      const lonely = new Executor({
        db: other.db,
        catalog: fx.runtime.catalog,
        leaseMs: LEASE_MS,
        scope: new Set([handle.id]),
      });
      await fx.runtime.executor.stop(0); // so that the other executor claims it
      await fx.db.db.execute(sql`update task_runs set run_at = now() where id = ${handle.id}`);
      lonely.start();
      await waitUntil(
        async () => (await fx.runtime.executor.store.get(handle.id))?.leaseOwner === lonely.owner,
        20_000,
      );
      await other.close();
      fx.runtime.executor.start();
      const run = await runs.poll(handle.id, { pollIntervalMs: 200 });
      expect(run).toMatchObject({ status: "COMPLETED", attemptCount: 2 });
      await lonely.stop(0).catch(() => undefined);
    },
    60_000,
  );
});
