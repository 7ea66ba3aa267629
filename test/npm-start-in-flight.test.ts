import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { configure, tasks } from "@trigger.dev/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killStartedRuntimes, npmStart } from "./helpers/npm-start.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";
import { waitUntil } from "./helpers/wait-until.ts";

const KEY = "tr_dev_in_flight";
let server: TestDb | undefined;
let env: Record<string, string>;
let dataDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "sb-in-flight-"));
  if (process.env.TEST_DATABASE_URL) server = await createTestDb();
  env = {
    SWITCHBOARD_SANDBOX: "0",
    SWITCHBOARD_TASK_DIRS: "trigger,test/fixtures/trigger",
    SWITCHBOARD_SHUTDOWN_GRACE_MS: "300",
    TRIGGER_SECRET_KEY: KEY,
    ...(server?.url ? { DATABASE_URL: server.url } : {}),
  };
}, 120_000);
afterAll(async () => {
  killStartedRuntimes();
  await server?.close();
});

async function run(url: string, id: string) {
  const response = await fetch(`${url}/runs/${id}`, { headers: { authorization: `Bearer ${KEY}` } });
  return (await response.json()) as { status: string; attempts: number };
}

describe(`npm start stopped with a run in flight (${process.env.TEST_DATABASE_URL ? "PostgreSQL" : "PGlite"})`, {
  timeout: 300_000,
}, () => {
  it("interrupts the run after the grace period, exits cleanly, and the next start runs it again", async () => {
    const first = await npmStart(dataDir, env);
    configure({ baseURL: first.record.url, accessToken: KEY });
    const handle = await tasks.trigger("test-slow", { ms: 4_000 });
    await waitUntil(async () => (await run(first.record.url, handle.id)).status === "running", 60_000);

    const code = await first.stop("SIGTERM");
    expect(code, first.logs()).toBe(0);
    expect(first.logs()).toContain("shutting down");
    expect(first.logs()).toContain("stopped: database closed");
    expect(existsSync(join(dataDir, "runtime.json"))).toBe(false);
    expect(existsSync(join(dataDir, "pglite.lock"))).toBe(false);

    const second = await npmStart(dataDir, env);
    try {
      const done = await waitUntil(async () => {
        const row = await run(second.record.url, handle.id);
        return row.status === "completed" ? row : undefined;
      }, 60_000);
      expect(done.attempts).toBe(2);
    } finally {
      expect(await second.stop("SIGINT")).toBe(0);
    }
  });
});
