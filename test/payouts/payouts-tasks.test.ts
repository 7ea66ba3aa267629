import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { runInMockTaskContext } from "@trigger.dev/core/v3/test";
import { metadata } from "@trigger.dev/sdk";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadTaskCatalog, type TaskCatalog } from "../../local/executor/task-catalog.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { buildDeps } from "../../src/build-deps.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDb } from "../../src/db/open-db.ts";
import { rowsOf } from "../../src/db/types.ts";
import { setDeps } from "../../src/deps.ts";
import type { BatchJobItem, JobQueue, TriggerJobOptions } from "../../src/jobs.ts";
import { prepareBatch } from "../../src/payouts/prepare-batch.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { runCli } from "../helpers/run-cli.ts";
import { createPayoutsFixture, type PayoutsFixture } from "./payouts-fixture.ts";

let fx: PayoutsFixture;
let catalog: TaskCatalog;
const triggered: { taskId: string; payload: unknown; options?: TriggerJobOptions | undefined }[] = [];
const jobs: JobQueue = {
  trigger: async (taskId, payload, options) => {
    triggered.push({ taskId, payload, options });
    return { id: `run_${triggered.length}`, isCached: false };
  },
  batchTrigger: async <P>(taskId: string, items: BatchJobItem<P>[]) => {
    for (const item of items) triggered.push({ taskId, payload: item.payload, options: item.options });
    return { batchId: "batch_1", runCount: items.length };
  },
};

beforeAll(async () => {
  fx = await createPayoutsFixture();
  catalog = await loadTaskCatalog(["trigger"]);
  setDeps(buildDeps({ db: fx.db.db, jobs, keyRing: fx.deps.keyRing, env: fx.deps.env }));
});
afterAll(async () => {
  setDeps(undefined);
  await fx?.close();
});
beforeEach(async () => {
  await fx.db.truncate();
  triggered.length = 0;
});

async function run(id: string, payload: unknown) {
  const task = catalog.get(id)!;
  return runInMockTaskContext(async ({ ctx }) => {
    const output = await task.run(payload, { ctx, signal: new AbortController().signal });
    return { output, progress: metadata.current() };
  });
}

describe("payouts tasks", () => {
  it("declare every task of the capability with a queue and retry policy, and the two schedules with a window", () => {
    const ids = catalog
      .list()
      .map((t) => t.id)
      .filter((id) => id.startsWith("payouts-"));
    expect(ids.sort()).toEqual([
      "payouts-approve-batch",
      "payouts-execute-batch",
      "payouts-execute-item",
      "payouts-poll-paypal",
      "payouts-prepare-batch",
      "payouts-reconcile",
      "payouts-record-earning",
      "payouts-reject-batch",
      "payouts-sweep",
      "payouts-verify-bank",
    ]);
    expect(catalog.get("payouts-execute-item")!.manifest.queue?.name).toBe("payouts-stripe");
    expect(catalog.get("payouts-sweep")!.manifest.schedule).toMatchObject({
      cron: "0 14 * * 1",
      window: "0m",
    });
  });

  it("record, prepare, approve and execute through the real task functions, with tenant and batch tags and progress", async () => {
    const tenant = await fx.tenant();
    const stripePayee = await fx.payee(tenant);
    const paypalPayee = await fx.payee(tenant, { rail: "paypal" });
    for (const [payeeId, key] of [
      [stripePayee, "o1"],
      [paypalPayee, "o2"],
    ] as const) {
      await run("payouts-record-earning", {
        tenantId: tenant,
        payeeId,
        amountMinor: 4200,
        currency: "usd",
        idempotencyKey: key,
      });
    }
    const { output: prepared } = await run("payouts-prepare-batch", { tenantId: tenant });
    const batchId = (prepared as { batchId: string }).batchId;
    expect(prepared).toMatchObject({ outcome: "prepared", status: "awaiting_approval", itemCount: 2 });
    expect(triggered).toEqual([]);
    await run("payouts-approve-batch", { tenantId: tenant, batchId, actor: "ops@acme.test" });
    expect(triggered).toEqual([
      {
        taskId: "payouts-execute-batch",
        payload: { tenantId: tenant, batchId },
        options: {
          idempotencyKey: `payouts-execute:${batchId}`,
          concurrencyKey: tenant,
          tags: [`tenant:${tenant}`, `batch:${batchId}`],
        },
      },
    ]);
    const { progress } = await run("payouts-execute-batch", { tenantId: tenant, batchId });
    expect(progress).toMatchObject({ batchId, stripeItems: 1, paypalItems: 1 });
    const [item] = await fx.rows<{ id: string }>(
      sql`select id from payout_items where rail = 'stripe_connect'`,
    );
    expect(triggered.slice(1).map((t) => [t.taskId, t.options?.idempotencyKey])).toEqual([
      ["payouts-execute-item", `payouts-item:${item!.id}`],
      ["payouts-poll-paypal", `payouts-poll:${batchId}:1`],
    ]);
    expect(fx.paypal.payouts.items).toHaveLength(1);
    await run("payouts-execute-item", { tenantId: tenant, itemId: item!.id, batchId });
    expect(fx.stripe.state.transfers.filter((t) => t.metadata.payout_item_id === item!.id)).toHaveLength(1);
    fx.paypal.payouts.pollsUntilSettled = 0;
    const { output: polled } = await run("payouts-poll-paypal", { tenantId: tenant, batchId, round: 1 });
    expect(polled).toMatchObject({ settled: true });
    const [batch] = await fx.rows<{ status: string }>(sql`select status from payout_batches`);
    expect(batch!.status).toBe("completed");
    await expect(run("payouts-approve-batch", { tenantId: tenant, batchId, actor: "again" })).rejects.toThrow(
      /not awaiting approval/,
    );
  });
});

describe("payouts CLI", { timeout: 180_000 }, () => {
  let trigger: Simulator;
  afterAll(async () => trigger?.close());

  it("approves a batch by id (recorded with who) and starts it, and refuses to reject it afterwards", async () => {
    trigger = await startSimulator({ "POST /api/v1/tasks/*": () => ({ body: { id: "run_cli_1" } }) });
    const dataDir = mkdtempSync(join(tmpdir(), "sb-payouts-cli-"));
    const env = {
      DATA_DIR: dataDir,
      DATABASE_URL: `pglite://${join(dataDir, "pglite")}`,
      SWITCHBOARD_SANDBOX: "0",
      TRIGGER_API_URL: trigger.url,
      TRIGGER_SECRET_KEY: "tr_dev_payouts",
    };
    const handle = await openDb({ url: env.DATABASE_URL });
    let batchId: string;
    try {
      await migrate(handle);
      const deps = buildDeps({ db: handle.db, jobs, keyRing: fx.deps.keyRing, env: {} });
      const [t] = rowsOf<{ id: string }>(
        await handle.db.execute(sql`insert into tenants (name) values ('Cli') returning id`),
      );
      const [p] = rowsOf<{ id: string }>(
        await handle.db.execute(sql`insert into payees (tenant_id, external_ref, name, country, rail, currency, paypal_receiver)
          values (${t!.id}, 'c1', 'C', 'US', 'paypal', 'usd', 'c@example.com') returning id`),
      );
      await recordEarning(deps, t!.id, {
        payeeId: p!.id,
        amountMinor: 5000,
        currency: "usd",
        idempotencyKey: "k",
      });
      batchId = (await prepareBatch(deps, t!.id)).batchId!;
    } finally {
      await handle.close();
    }
    const approved = await runCli(["payouts", "approve", batchId, "--by", "cfo@acme.test", "--json"], env);
    expect(approved.code, approved.stderr).toBe(0);
    expect(JSON.parse(approved.stdout)).toMatchObject({
      batchId,
      approvedBy: "cfo@acme.test",
      runId: "run_cli_1",
    });
    expect(trigger.requestsTo("POST /api/v1/tasks/*")[0]!.path).toBe(
      "/api/v1/tasks/payouts-execute-batch/trigger",
    );
    const rejected = await runCli(["payouts", "reject", batchId, "--by", "x"], env);
    expect(rejected.code).not.toBe(0);
    expect(rejected.stderr).toMatch(/not awaiting approval/);
  });
});
