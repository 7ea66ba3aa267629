import { spawn } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../db/schema.ts";
import { capabilityRegistry } from "../src/capabilities/registry.ts";
import { linkExternalAccount } from "../src/connections/link-external-account.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import { recordWebhookEvent } from "../src/inbox/record-webhook-event.ts";
import { inboundProviders, inboxTaskId } from "../src/ingress/inbound-providers.ts";
import { runCli } from "./helpers/run-cli.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let server: TestDb | undefined;
let env: Record<string, string | undefined>;
/** One stored event per inbound provider: its sample event (the type a sandbox emits). */
const events: { provider: string; type: string; id: string }[] = [];

function runAlone(
  taskFile: string,
  taskId: string,
  payload: unknown,
): Promise<{ loaded: string[]; output: unknown }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--import", "tsx", "test/helpers/run-task-file-alone.ts", taskFile, taskId, JSON.stringify(payload)],
      { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => (stdout += d));
    child.stderr.on("data", (d) => (stderr += d));
    child.on("close", (code) => {
      const line = stdout.trim().split("\n").pop() ?? "";
      if (code === 0 && line.startsWith("{")) resolve(JSON.parse(line));
      else reject(new Error(`${taskFile} exited ${code}\n${stderr}`));
    });
  });
}

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sb-alone-"));
  if (process.env.TEST_DATABASE_URL) server = await createTestDb();
  env = {
    DATA_DIR: dataDir,
    DATABASE_URL: server?.url ?? `pglite://${join(dataDir, "pglite")}`,
    SWITCHBOARD_SANDBOX: "0",
    ALERTS_SLACK_WEBHOOK_URL: "",
  };
  const handle = await openDb({ url: env.DATABASE_URL });
  try {
    await migrate(handle);
    const [tenant] = await handle.db.insert(tenants).values({ name: "Alone" }).returning();
    const [connection] = await handle.db
      .insert(integrationConnections)
      .values({ tenantId: tenant!.id, provider: "stripe_connect" })
      .returning();
    await linkExternalAccount(handle.db, {
      provider: "stripe_connect",
      accountId: "acct_sandbox",
      tenantId: tenant!.id,
      connectionId: connection!.id,
    });
    for (const provider of inboundProviders) {
      const json = provider.sampleEvent(`alone_${provider.id}`);
      const identity = await provider.identify(JSON.parse(json), new TextEncoder().encode(json));
      const stored = await recordWebhookEvent(handle.db, {
        provider: provider.id,
        dedupeKey: identity.dedupeKey,
        tenantId: null,
        type: identity.type,
        body: new TextEncoder().encode(json),
        json,
      });
      events.push({ provider: provider.id, type: identity.type, id: stored.id });
    }
  } finally {
    await handle.close();
  }
});
afterAll(async () => server?.close());

const expected = (e: { provider: string; type: string }) =>
  capabilityRegistry.handlerFor(e.provider, e.type)?.name ?? null;

// Each case spawns fresh processes (tsx start-up, database open): allow for a loaded machine.
describe("event routing in every kind of process", { timeout: 240_000 }, () => {
  it("routes each provider's event the same when its task file is loaded alone, as on a Trigger.dev worker", async () => {
    expect(events.map(expected)).toContain("connections");
    for (const event of events) {
      const file = `trigger/inbox/process-${event.provider}-event.ts`;
      const result = await runAlone(file, inboxTaskId(event.provider), { eventId: event.id });
      expect(result.loaded).toEqual([file]);
      expect(result.output, event.provider).toMatchObject({
        eventId: event.id,
        status: expected(event) ? "processed" : "unrouted",
        capability: expected(event),
      });
    }
  });

  it("routes the same from the CLI's replay and from the local runtime's executor", async () => {
    for (const event of [events.find((e) => expected(e))!, events.find((e) => !expected(e))!]) {
      const replayed = await runCli(["webhooks", "replay", event.id, "--json"], env, 120_000);
      expect(JSON.parse(replayed.stdout), replayed.stderr).toMatchObject({ capability: expected(event) });
      const payload = JSON.stringify({ eventId: event.id, replay: true });
      const ran = await runCli(
        ["task", "run", inboxTaskId(event.provider), "--payload", payload, "--json"],
        env,
        120_000,
      );
      expect(JSON.parse(ran.stdout).output, ran.stderr).toMatchObject({ capability: expected(event) });
    }
  });
});
