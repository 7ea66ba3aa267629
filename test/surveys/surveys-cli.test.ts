import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FairingSimulator, startFairingSimulator } from "../../local/sandbox/fairing-server.ts";
import { buildDeps } from "../../src/build-deps.ts";
import { connectApiKey } from "../../src/connections/connect-api-key.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { migrate } from "../../src/db/migrate.ts";
import { openDb } from "../../src/db/open-db.ts";
import { syncFairingResponses } from "../../src/surveys/sync-fairing-responses.ts";
import { createTenant } from "../../src/tenants/create-tenant.ts";
import { runCli } from "../helpers/run-cli.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let server: TestDb | undefined;
let fairing: FairingSimulator;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sb-surveys-cli-"));
  if (process.env.TEST_DATABASE_URL) server = await createTestDb();
  fairing = await startFairingSimulator();
  fairing.addStore("fairing_cli_key", { count: 120, seed: 3 });
  env = {
    FAIRING_API_URL: fairing.url,
    DATA_DIR: dataDir,
    DATABASE_URL: server?.url ?? `pglite://${join(dataDir, "pglite")}`,
    SWITCHBOARD_SANDBOX: "0",
  };
});
afterAll(async () => {
  await fairing?.close();
  await server?.close();
});

const json = (stdout: string) => JSON.parse(stdout) as Record<string, unknown>;

// Several CLI processes per case (tsx start-up, database open): allow for a loaded machine.
describe("surveys CLI", { timeout: 180_000 }, () => {
  it("connects a Fairing key, syncs the tenant and summarises answers per question, as text and JSON", async () => {
    // Connect and sync in this process (the CLI's own start-up is the slow part), then read through the CLI.
    const handle = await openDb({ url: env.DATABASE_URL });
    let tenantId: string;
    try {
      await migrate(handle);
      const deps = buildDeps({
        db: handle.db,
        jobs: {
          trigger: async () => ({ id: "none", isCached: false }),
          batchTrigger: async () => ({ batchId: "none", runCount: 0 }),
        },
        keyRing: await parseKeyRing(process.env.ENCRYPTION_KEYS!),
        env: { FAIRING_API_URL: fairing.url },
      });
      tenantId = (await createTenant(handle.db, { name: "Survey Co" })).id;
      await connectApiKey(deps, { tenantId, provider: "fairing", fields: { api_key: "fairing_cli_key" } });
      expect(fairing.requestsTo("GET /questions")[0]!.headers.authorization).toBe("fairing_cli_key");
      expect(await syncFairingResponses(deps, tenantId)).toMatchObject({ outcome: "synced", inserted: 120 });
    } finally {
      await handle.close();
    }

    const summary = await runCli(["surveys", "summary", tenantId, "--question", "q_hdyhau", "--json"], env);
    expect(summary.code, summary.stderr).toBe(0);
    const expected = new Map<string, number>();
    for (const r of fairing.responses("fairing_cli_key").filter((r) => r.question_id === "q_hdyhau")) {
      expected.set(r.response, (expected.get(r.response) ?? 0) + 1);
    }
    const doc = json(summary.stdout) as {
      questions: {
        question: string;
        responses: number;
        answers: { answer: string; count: number; share: number }[];
      }[];
    };
    expect(doc.questions).toHaveLength(1);
    expect(doc.questions[0]!.question).toBe("How did you hear about us?");
    expect(doc.questions[0]!.responses).toBe(40);
    expect(Object.fromEntries(doc.questions[0]!.answers.map((a) => [a.answer, a.count]))).toEqual(
      Object.fromEntries(expected),
    );
    const top = doc.questions[0]!.answers[0]!;
    expect(top.share).toBeCloseTo(top.count / 40, 4);

    const human = await runCli(["surveys", "summary", tenantId, "--since", "30d"], env);
    expect(human.stdout).toContain("How did you hear about us? (q_hdyhau): 40 responses");
    expect(human.stdout).toContain("Is this your first order?");

    const status = await runCli(["surveys", "status", tenantId, "--json"], env);
    const [row] = JSON.parse(status.stdout) as Record<string, unknown>[];
    expect(row).toMatchObject({
      tenantId,
      source: "fairing:responses",
      connectionStatus: "active",
      lastRunRows: 120,
      responses: 120,
      passInProgress: false,
      lastError: null,
    });
    expect(row!.lagSeconds).toBeGreaterThanOrEqual(0);

    const health = await runCli(["health", "--tenant", tenantId, "--json"], env);
    expect(health.code, health.stderr).toBe(0);
    const { surveySyncs } = JSON.parse(health.stdout) as { surveySyncs: Record<string, unknown>[] };
    expect(surveySyncs).toEqual([
      expect.objectContaining({ tenantId, source: "fairing:responses", lastRunRows: 120, responses: 120 }),
    ]);
    const healthText = await runCli(["health", "--tenant", tenantId], env);
    expect(healthText.stdout).toMatch(/Survey syncs \(Fairing\)/);
    expect(healthText.stdout).toMatch(/fairing:responses\s+\S+\s+\d+\s+120\s+120/);
  });
});
