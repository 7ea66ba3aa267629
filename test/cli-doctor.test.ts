import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../local/cli/output.ts";
import { runCliCommand } from "../local/cli/run-cli.ts";
import { type Sandbox, startSandbox } from "../local/sandbox/start-sandbox.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let db: TestDb;
let sandbox: Sandbox;
const saved = { ...process.env };

beforeAll(async () => {
  db = await createTestDb();
  sandbox = await startSandbox();
  // As the CLI's entry point does: local mode unless SWITCHBOARD_LOCAL=0.
  Object.assign(process.env, sandbox.env, { SWITCHBOARD_LOCAL: "1" });
});
afterAll(async () => {
  process.env = saved;
  await sandbox?.close();
  await db?.close();
});

async function doctor(): Promise<{ code: number; checks: { name: string; ok: boolean; detail: string }[] }> {
  let stdout = "";
  const io: CliIo = {
    stdout: (text) => {
      stdout += text;
    },
    stderr: () => {},
    exitCode: 0,
    handle: db,
  };
  const code = await runCliCommand(["doctor", "--json"], io);
  return { code, checks: (JSON.parse(stdout) as { checks: never[] }).checks };
}

describe("switchboard doctor", () => {
  it("probes each provider whose platform credential is configured, on its simulator", async () => {
    const { code, checks } = await doctor();
    expect(checks.filter((c) => !c.ok)).toEqual([]);
    expect(code).toBe(0);
    const names = checks.map((c) => c.name);
    expect(names).toEqual(
      expect.arrayContaining(["Plaid platform credential", "PayPal platform credential"]),
    );
    expect(checks.find((c) => c.name === "PayPal platform credential")?.detail).toMatch(
      /accepted by the PayPal simulator \(HTTP 200/,
    );
    expect(names.some((name) => /Lob|Fairing/.test(name))).toBe(false);
  });

  it("fails the checklist naming the variable when a provider rejects the platform credential", async () => {
    process.env.PAYPAL_CLIENT_SECRET = "not-the-sandbox-secret";
    try {
      const { code, checks } = await doctor();
      expect(code).toBe(1);
      const paypal = checks.find((c) => c.name === "PayPal platform credential");
      expect(paypal?.ok).toBe(false);
      expect(paypal?.detail).toMatch(
        /PayPal rejected it \(HTTP 401\); check PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET/,
      );
      expect(checks.find((c) => c.name === "Plaid platform credential")?.ok).toBe(true);
    } finally {
      process.env.PAYPAL_CLIENT_SECRET = sandbox.env.PAYPAL_CLIENT_SECRET;
    }
  });

  it("lists every environment problem under configuration at once", async () => {
    Object.assign(process.env, { SWITCHBOARD_LOCAL: "0", ENCRYPTION_KEYS: "garbage", PORT: "abc" });
    try {
      const { code, checks } = await doctor();
      expect(code).toBe(1);
      const config = checks.find((c) => c.name === "configuration");
      expect(config?.ok).toBe(false);
      expect(config?.detail).toMatch(/TRIGGER_SECRET_KEY must be set/);
      expect(config?.detail).toMatch(/- PORT: /);
      expect(config?.detail).toMatch(/- ENCRYPTION_KEYS: ENCRYPTION_KEYS entry 1/);
    } finally {
      Object.assign(process.env, { SWITCHBOARD_LOCAL: "1" });
      delete process.env.ENCRYPTION_KEYS;
      delete process.env.PORT;
    }
  });

  it("says a provider could not be reached rather than calling its credential bad", async () => {
    process.env.PLAID_API_URL = "http://127.0.0.1:9";
    try {
      const { code, checks } = await doctor();
      expect(code).toBe(1);
      const plaid = checks.find((c) => c.name === "Plaid platform credential");
      expect(plaid?.detail).toMatch(/could not be reached/);
      expect(plaid?.detail).not.toMatch(/rejected/);
    } finally {
      process.env.PLAID_API_URL = sandbox.env.PLAID_API_URL;
    }
  });
});
