import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SANDBOX_TEST_KEYS } from "../local/sandbox/sandbox-info.ts";
import { openDb } from "../src/db/open-db.ts";
import { runCli } from "./helpers/run-cli.ts";
import { pgliteTemplatePath } from "./helpers/template.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

const LOOPBACK = ["127.0.0.1", "localhost", "::1"];
let server: TestDb | undefined;
let env: Record<string, string | undefined>;
let hostsFile: string;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sb-cli-sandbox-"));
  hostsFile = join(dataDir, "hosts.txt");
  writeFileSync(hostsFile, "");
  if (process.env.TEST_DATABASE_URL) server = await createTestDb();
  else {
    const seeded = await openDb({
      url: `pglite://${join(dataDir, "pglite")}`,
      loadDataDir: new Blob([readFileSync(pgliteTemplatePath())]),
    });
    await seeded.close();
  }
  env = {
    DATA_DIR: dataDir,
    DATABASE_URL: server?.url ?? `pglite://${join(dataDir, "pglite")}`,
    SWITCHBOARD_LOCAL: "1",
    SWITCHBOARD_SANDBOX: "1",
    RESEND_API_URL: undefined,
    NODE_OPTIONS: `--import ${resolve("test/fixtures/record-outgoing-hosts.mjs")}`,
    SB_RECORD_HOSTS: hostsFile,
  };
}, 180_000);
afterAll(async () => {
  await server?.close();
});

describe("the CLI in sandbox mode with no npm start running", { timeout: 300_000 }, () => {
  it("validates keys on simulators of its own and never calls a real provider", async () => {
    const tenant = (await runCli(["tenants", "create", "--name", "Offline", "--id-only"], env)).stdout.trim();
    const good = await runCli(
      ["connections", "connect-key", tenant, "resend", "--key", SANDBOX_TEST_KEYS.resend!],
      env,
    );
    expect(good.code, good.stderr).toBe(0);
    const bad = await runCli(
      ["connections", "connect-key", tenant, "resend", "--key", "re_not_a_sandbox_key"],
      env,
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/rejected the credential/);
    const hosts = readFileSync(hostsFile, "utf8").split("\n").filter(Boolean);
    expect(hosts.length).toBeGreaterThanOrEqual(2);
    expect(hosts.filter((host) => !LOOPBACK.includes(host))).toEqual([]);
  });
});
