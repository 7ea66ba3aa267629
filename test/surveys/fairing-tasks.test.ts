import { runInMockTaskContext } from "@trigger.dev/core/v3/test";
import { metadata } from "@trigger.dev/sdk";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { loadTaskCatalog, type TaskCatalog } from "../../local/executor/task-catalog.ts";
import { setDeps } from "../../src/deps.ts";
import { backfillFairingResponses } from "../../src/surveys/backfill-fairing-responses.ts";
import { sweepFairingSync } from "../../src/surveys/sweep-fairing-sync.ts";
import { createSurveyFixture, type SurveyFixture } from "../helpers/survey-fixture.ts";

let fx: SurveyFixture;
let catalog: TaskCatalog;
beforeAll(async () => {
  fx = await createSurveyFixture();
  catalog = await loadTaskCatalog(["trigger"]);
  setDeps(fx.deps);
});
afterAll(async () => {
  setDeps(undefined);
  await fx?.close();
});
beforeEach(async () => {
  await fx.db.truncate();
  fx.triggered.length = 0;
});

describe("Fairing sync tasks", () => {
  it("sweep hourly with no start window, and sync or backfill one store at a time per tenant", () => {
    const sweep = catalog.get("fairing-sync-sweep")!.manifest;
    expect(sweep.schedule).toMatchObject({ cron: "7 * * * *", window: "0m" });
    for (const id of ["fairing-sync-tenant", "fairing-backfill"]) {
      expect(catalog.get(id)!.manifest.queue?.name, id).toBe("fairing-sync");
    }
    expect(catalog.queueLimit("fairing-sync")).toBe(1);
  });

  it("fan out one child per tenant with a usable Fairing connection, keyed by tenant and hour", async () => {
    const a = await fx.tenantWithStore("sweep_a");
    const b = await fx.tenantWithStore("sweep_b");
    const gone = await fx.tenantWithStore("sweep_gone");
    await fx.db.db.execute(
      sql`update integration_connections set status = 'expired' where tenant_id = ${gone}`,
    );
    const slot = new Date("2026-12-04T10:07:00Z");
    expect(await sweepFairingSync(fx.deps, slot)).toEqual({ tenants: 2 });
    expect(fx.triggered.map((t) => t.payload)).toEqual(
      expect.arrayContaining([{ tenantId: a }, { tenantId: b }]),
    );
    expect(fx.triggered).toHaveLength(2);
    for (const t of fx.triggered) {
      const tenantId = (t.payload as { tenantId: string }).tenantId;
      expect(t.taskId).toBe("fairing-sync-tenant");
      expect(t.options).toMatchObject({
        idempotencyKey: `fairing-sync:${tenantId}:2026-12-04T10:07:00.000Z`,
        concurrencyKey: tenantId,
      });
    }
  });

  it("fairing-backfill reports progress in run metadata", async () => {
    const tenant = await fx.tenantWithStore("backfill_meta", { count: 230 });
    const task = catalog.get("fairing-backfill")!;
    const { output, progress } = await runInMockTaskContext(async ({ ctx }) => {
      const output = await task.run({ tenantId: tenant }, { ctx, signal: new AbortController().signal });
      return { output, progress: metadata.current() };
    });
    expect(output).toMatchObject({ outcome: "synced", processed: 230, inserted: 230 });
    expect(progress).toMatchObject({ processed: 230, pages: 3, inserted: 230 });
  });

  it("a backfill chunk that stops early hands the rest to the next run, keyed by its position", async () => {
    const tenant = await fx.tenantWithStore("backfill_chunks", { count: 250 });
    const first = await backfillFairingResponses(fx.deps, tenant, { chunkPages: 2 });
    expect(first).toMatchObject({ outcome: "partial", passPages: 2, continuedIn: "run_1" });
    expect(fx.triggered).toEqual([
      {
        taskId: "fairing-backfill",
        payload: { tenantId: tenant },
        options: {
          idempotencyKey: `fairing-backfill:${tenant}:${first.passStartedAt}:2`,
          concurrencyKey: tenant,
        },
      },
    ]);
    const second = await backfillFairingResponses(fx.deps, tenant, { chunkPages: 2 });
    expect(second).toMatchObject({ outcome: "synced", resumed: true, processed: 50 });
    expect(fx.triggered).toHaveLength(1);
  });
});
