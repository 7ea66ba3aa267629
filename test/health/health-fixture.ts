import { integrationConnections, tenants } from "../../db/schema.ts";
import {
  type BetterStackSimulator,
  startBetterStackSimulator,
} from "../../local/sandbox/better-stack-server.ts";
import { SANDBOX_TEST_KEYS } from "../../local/sandbox/sandbox-info.ts";
import { type Sandbox, startSandbox } from "../../local/sandbox/start-sandbox.ts";
import { buildDeps, type Deps } from "../../src/build-deps.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import type { BatchJobItem, JobQueue } from "../../src/jobs.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

export interface HealthFixture {
  db: TestDb;
  deps: Deps;
  sandbox: Sandbox;
  betterStack: BetterStackSimulator;
  /** Runs the sweep fanned out (task id and items), instead of starting them. */
  triggered: { taskId: string; items: BatchJobItem<unknown>[] }[];
  /** Platform Slack alert texts received. */
  alerts(): string[];
  /** Inserts a tenant and a connection holding `fields` (sealed); returns the connection id. */
  connect(provider: string, fields: Record<string, string>, tenantName?: string): Promise<string>;
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** A database, every provider simulator and Better Stack, wired into real dependencies. */
export async function createHealthFixture(extraEnv: Record<string, string> = {}): Promise<HealthFixture> {
  const db = await createTestDb();
  const sandbox = await startSandbox();
  const betterStack = await startBetterStackSimulator("bs_test_token");
  const triggered: HealthFixture["triggered"] = [];
  const jobs: JobQueue = {
    trigger: async () => ({ id: "run_test", isCached: false }),
    batchTrigger: async (taskId, items) => {
      triggered.push({ taskId, items: items as BatchJobItem<unknown>[] });
      return { batchId: "batch_test", runCount: items.length };
    },
  };
  const deps = buildDeps({
    db: db.db,
    keyRing: await parseKeyRing(process.env.ENCRYPTION_KEYS!),
    jobs,
    env: {
      ...sandbox.env,
      BETTER_STACK_API_TOKEN: "bs_test_token",
      BETTER_STACK_API_URL: `${betterStack.url}/api`,
      HEALTH_SWEEP_HEARTBEAT_URL: `${betterStack.url}/api/v1/heartbeat/hb_health`,
      ...extraEnv,
    },
  });
  const sims = () => Object.values(sandbox).filter((v) => typeof v === "object" && v && "requests" in v);
  return {
    db,
    deps,
    sandbox,
    betterStack,
    triggered,
    alerts: () =>
      sandbox.slack.requests
        .filter((r) => r.path.startsWith("/hooks/"))
        .map((r) => (JSON.parse(r.body) as { text: string }).text),
    async connect(provider, fields, tenantName = "Acme") {
      const [tenant] = await db.db.insert(tenants).values({ name: tenantName }).returning();
      const owner = { tenantId: tenant!.id, provider };
      const sealed = await encryptCredentials(deps.keyRing, owner, fields);
      const [row] = await db.db
        .insert(integrationConnections)
        .values({ ...owner, ...sealed })
        .returning();
      return row!.id;
    },
    async reset() {
      await db.truncate();
      triggered.length = 0;
      for (const sim of [...sims(), betterStack] as { requests: unknown[]; clearFaults(): void }[]) {
        sim.requests.length = 0;
        sim.clearFaults();
      }
      betterStack.incidents.clear();
    },
    async close() {
      await betterStack.close();
      await sandbox.close();
      await db.close();
    },
  };
}

export const keys = SANDBOX_TEST_KEYS;
