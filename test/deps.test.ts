import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../db/schema.ts";
import { startSimulator } from "../local/sandbox/simulator.ts";
import { buildDeps } from "../src/build-deps.ts";
import { saveConnection } from "../src/connections/save-connection.ts";
import { parseKeyRing } from "../src/crypto/key-ring.ts";
import type { JobQueue } from "../src/jobs.ts";
import { captureLogs } from "./helpers/capture-logs.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

const jobs: JobQueue = {
  trigger: async () => ({ id: "run_1", isCached: false }),
  batchTrigger: async (_id, items) => ({ batchId: "batch_1", runCount: items.length }),
};

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.close());

describe("the one dependency builder", () => {
  it("gives the credential resolver the same database and key ring as every other consumer", async () => {
    const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
    const deps = buildDeps({ db: db.db, jobs, keyRing, env: {} });
    const [tenant] = await db.db.insert(tenants).values({ name: "Acme" }).returning();
    await saveConnection(deps.db, deps.keyRing, {
      tenantId: tenant!.id,
      provider: "resend",
      credentials: { api_key: "re_live_key" },
    });
    expect(await deps.credentials.resolve("resend", { tenantId: tenant!.id })).toMatchObject({
      source: "tenant",
      token: "re_live_key",
    });
    expect(deps.jobs).toBe(jobs);
    expect(deps.clock.now()).toBeInstanceOf(Date);
  });

  it("gives capability code an HTTP client that bounds each call and logs it once", async () => {
    const sim = await startSimulator({ "GET /slow": () => ({ body: { ok: true } }) });
    const logs = captureLogs();
    try {
      sim.fault("GET /slow", { latencyMs: 500, times: 1 });
      const deps = buildDeps({
        db: db.db,
        jobs,
        keyRing: await parseKeyRing(process.env.ENCRYPTION_KEYS!),
        env: {},
      });
      const call = { provider: "resend", operation: "probe", url: `${sim.url}/slow`, timeoutMs: 100 };
      await expect(deps.http.request(call)).rejects.toThrow();
      const response = await deps.http.request({ ...call, timeoutMs: 15_000 });
      expect(response.json).toEqual({ ok: true });
      const timed = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.message === "provider call");
      expect(timed.map((l) => l.status)).toEqual(["error", 200]);
    } finally {
      logs.stop();
      await sim.close();
    }
  });
});
