import { sql } from "drizzle-orm";
import { tenants } from "../../db/schema.ts";
import { type FairingSimulator, startFairingSimulator } from "../../local/sandbox/fairing-server.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { buildDeps, type Deps } from "../../src/build-deps.ts";
import { saveConnection } from "../../src/connections/save-connection.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { rowsOf } from "../../src/db/types.ts";
import type { JobQueue } from "../../src/jobs.ts";
import { createTestDb, type TestDb } from "./test-db.ts";

export interface SurveyFixture {
  db: TestDb;
  fairing: FairingSimulator;
  slack: Simulator;
  deps: Deps;
  triggered: { taskId: string; payload: unknown; options: unknown }[];
  /** A tenant with an active Fairing connection holding `apiKey`, and a simulated store for it. */
  tenantWithStore(apiKey: string, store?: Parameters<FairingSimulator["addStore"]>[1]): Promise<string>;
  responseIds(tenantId: string): Promise<string[]>;
  close(): Promise<void>;
}

/** A database, a Fairing simulator, a Slack alert sink and survey deps wired over them. */
export async function createSurveyFixture(options: Parameters<typeof startFairingSimulator>[0] = {}) {
  const db = await createTestDb();
  const fairing = await startFairingSimulator(options);
  const slack = await startSimulator({ "POST /hooks/*": () => ({ body: "ok" }) });
  const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
  const triggered: SurveyFixture["triggered"] = [];
  const jobs: JobQueue = {
    trigger: async (taskId, payload, opts) => {
      triggered.push({ taskId, payload, options: opts });
      return { id: `run_${triggered.length}`, isCached: false };
    },
    batchTrigger: async (taskId, items) => {
      for (const item of items) triggered.push({ taskId, payload: item.payload, options: item.options });
      return { batchId: "batch_1", runCount: items.length };
    },
  };
  const deps = buildDeps({
    db: db.db,
    jobs,
    keyRing,
    env: { FAIRING_API_URL: fairing.url, ALERTS_SLACK_WEBHOOK_URL: `${slack.url}/hooks/platform` },
  });
  const fixture: SurveyFixture = {
    db,
    fairing,
    slack,
    deps,
    triggered,
    async tenantWithStore(apiKey, store) {
      const [tenant] = await db.db.insert(tenants).values({ name: apiKey }).returning();
      await saveConnection(db.db, keyRing, {
        tenantId: tenant!.id,
        provider: "fairing",
        credentials: { api_key: apiKey },
      });
      fairing.addStore(apiKey, store);
      return tenant!.id;
    },
    async responseIds(tenantId) {
      return rowsOf<{ response_id: string }>(
        await db.db.execute(
          sql`select response_id from survey_responses where tenant_id = ${tenantId} order by source_inserted_at, response_id`,
        ),
      ).map((r) => r.response_id);
    },
    close: async () => {
      await Promise.all([fairing.close(), slack.close()]);
      await db.close();
    },
  };
  return fixture;
}
