import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../local/cli/output.ts";
import { runCliCommand } from "../local/cli/run-cli.ts";
import { loadDotEnv } from "../local/load-dot-env.ts";
import { type Runtime, startRuntime } from "../local/runtime.ts";
import { resetConfig } from "../src/config.ts";
import { createTenant } from "../src/tenants/create-tenant.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

// `.env.example` copied as is: most values are empty, which must count as unset everywhere.
const saved = { ...process.env };
let db: TestDb;
let runtime: Runtime;

beforeAll(async () => {
  for (const name of Object.keys(process.env)) {
    if (/^(PUBLIC_BASE_URL|OAUTH_STATE_SECRET|APP_URL|SWITCHBOARD_LOCAL|PORT)$/.test(name))
      delete process.env[name];
  }
  loadDotEnv(".env.example");
  resetConfig();
  db = await createTestDb();
  runtime = await startRuntime({ db, port: 0, sandbox: true, cron: false, secretKey: "tr_env_example" });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
  process.env = saved;
  resetConfig();
});

describe(".env.example copied as is", () => {
  it("leaves no empty variable behind and keeps local mode on", () => {
    expect(Object.entries(process.env).filter(([, value]) => value === "")).toEqual([]);
    expect(process.env.SWITCHBOARD_LOCAL).toBe("1");
    expect(process.env.PORT).toBe("3000");
  });

  it("starts the runtime and completes an OAuth connection on the simulators", async () => {
    const tenant = await createTenant(db.db, { name: "Example" });
    let stdout = "";
    let stderr = "";
    const io: CliIo = {
      stdout: (text) => {
        stdout += text;
      },
      stderr: (text) => {
        stderr += text;
      },
      exitCode: 0,
      handle: db,
      runtime,
    };
    const code = await runCliCommand(["connections", "oauth-url", tenant.id, "slack", "--json"], io);
    expect(code, stderr).toBe(0);
    const page = await fetch((JSON.parse(stdout) as { url: string }).url);
    expect(await page.text()).toContain(`Connected slack for Example (${tenant.id})`);
  });
});
