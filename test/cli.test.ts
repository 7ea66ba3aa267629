import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./helpers/run-cli.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let server: TestDb | undefined;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sb-cli-"));
  if (process.env.TEST_DATABASE_URL) server = await createTestDb();
  env = {
    DATA_DIR: dataDir,
    DATABASE_URL: server?.url ?? `pglite://${join(dataDir, "pglite")}`,
    LOG_LEVEL: "info",
    SWITCHBOARD_SANDBOX: "0",
  };
});
afterAll(async () => server?.close());

describe("switchboard CLI", () => {
  it("creates a tenant and prints exactly one JSON document with --json", async () => {
    const created = await runCli(["tenants", "create", "--name", "Acme Goods", "--json"], env);
    expect(created.code).toBe(0);
    const tenant = JSON.parse(created.stdout) as { id: string; name: string };
    expect(tenant.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(tenant.name).toBe("Acme Goods");

    const listed = await runCli(["tenants", "list", "--json"], env);
    expect(JSON.parse(listed.stdout)).toEqual(
      expect.arrayContaining([expect.objectContaining({ id: tenant.id, name: "Acme Goods" })]),
    );
    const human = await runCli(["tenants", "list"], env);
    expect(human.stdout).toContain("Acme Goods");
    expect(() => JSON.parse(human.stdout)).toThrow();
  });

  it("runs a task to completion, prints its run as JSON, and records it for runs list", async () => {
    const ran = await runCli(["task", "run", "credentials-rotate-keys", "--json"], env);
    expect(ran.code, ran.stderr).toBe(0);
    const run = JSON.parse(ran.stdout) as { id: string; status: string; output: { currentVersion: string } };
    expect(run.status).toBe("completed");
    expect(run.output.currentVersion).toBe("v2");
    expect(ran.stderr).toContain('"level"'); // logs went to stderr, not stdout

    const runs = await runCli(["runs", "list", "--json", "--task", "credentials-rotate-keys"], env);
    expect((JSON.parse(runs.stdout) as { id: string }[]).map((r) => r.id)).toContain(run.id);
  });

  it("exits non-zero with a clear message for an unknown task or bad payload", async () => {
    const unknown = await runCli(["task", "run", "no-such-task"], env);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('Unknown task "no-such-task"');
    const bad = await runCli(["task", "run", "credentials-rotate-keys", "--payload", "{nope"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--payload is not valid JSON");
  });

  it("migrates on demand", async () => {
    const migrated = await runCli(["db", "migrate", "--json"], env);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ migrated: true });
  });
});
