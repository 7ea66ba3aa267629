import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { environmentProblems, startRefusal } from "../local/preflight.ts";
import { shouldUseSandbox } from "../local/sandbox/detect-sandbox.ts";
import { startSandbox } from "../local/sandbox/start-sandbox.ts";
import { startRuntimeProcess } from "./helpers/runtime-process.ts";

const KEYS = {
  ENCRYPTION_KEYS: "v1:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
  OAUTH_STATE_SECRET: "0123456789abcdef0123456789abcdef",
  TRIGGER_SECRET_KEY: "tr_prod_key",
};

describe("sandbox gating", () => {
  it("never chooses the sandbox outside local mode, whatever SWITCHBOARD_SANDBOX says", () => {
    expect(shouldUseSandbox({ SWITCHBOARD_LOCAL: "0" })).toBe(false);
    expect(shouldUseSandbox({ SWITCHBOARD_LOCAL: "0", SWITCHBOARD_SANDBOX: "1" })).toBe(false);
    expect(
      shouldUseSandbox({ SWITCHBOARD_LOCAL: "1", NODE_ENV: "production", SWITCHBOARD_SANDBOX: "1" }),
    ).toBe(false);
    expect(shouldUseSandbox({})).toBe(false);
  });

  it("chooses it in local mode without provider credentials, or when forced", () => {
    expect(shouldUseSandbox({ SWITCHBOARD_LOCAL: "1" })).toBe(true);
    expect(shouldUseSandbox({ SWITCHBOARD_LOCAL: "1", STRIPE_SECRET_KEY: "sk_live_x" })).toBe(false);
    expect(
      shouldUseSandbox({ SWITCHBOARD_LOCAL: "1", STRIPE_SECRET_KEY: "sk_x", SWITCHBOARD_SANDBOX: "1" }),
    ).toBe(true);
    expect(shouldUseSandbox({ SWITCHBOARD_LOCAL: "1", SWITCHBOARD_SANDBOX: "0" })).toBe(false);
  });

  it("generates the sandbox signing keys per start", async () => {
    const [a, b] = await Promise.all([startSandbox(), startSandbox()]);
    try {
      expect(a.env.SANDBOX_PAYPAL_SIGNING_KEY).not.toBe(b.env.SANDBOX_PAYPAL_SIGNING_KEY);
      expect(a.env.SANDBOX_PAYPAL_SIGNING_KEY!.length).toBeGreaterThanOrEqual(32);
      expect(a.env.SANDBOX_PLAID_SIGNING_JWK).not.toBe(b.env.SANDBOX_PLAID_SIGNING_JWK);
      expect(a.env.STRIPE_WEBHOOK_SECRET).not.toBe(b.env.STRIPE_WEBHOOK_SECRET);
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });

  it("names every missing key in one refusal outside local mode, and none in local mode", () => {
    expect(startRefusal({ SWITCHBOARD_LOCAL: "1" })).toBeUndefined();
    expect(startRefusal({ SWITCHBOARD_LOCAL: "0", ...KEYS })).toBeUndefined();
    const refusal = startRefusal({ SWITCHBOARD_LOCAL: "0", ENCRYPTION_KEYS: KEYS.ENCRYPTION_KEYS });
    expect(refusal).toContain("OAUTH_STATE_SECRET, TRIGGER_SECRET_KEY");
    expect(refusal).not.toContain("\n");
    expect(startRefusal({ SWITCHBOARD_LOCAL: "1", NODE_ENV: "production" })).toContain("NODE_ENV=production");
  });

  it("reports every problem of the environment at once: missing keys, a malformed key ring, a bad port", async () => {
    const problems = await environmentProblems({
      SWITCHBOARD_LOCAL: "0",
      ENCRYPTION_KEYS: "garbage",
      PORT: "abc",
    });
    expect(problems).toMatch(
      /^switchboard: refusing to start: OAUTH_STATE_SECRET, TRIGGER_SECRET_KEY must be set/,
    );
    expect(problems).toMatch(/\n {2}- PORT: /);
    expect(problems).toMatch(/\n {2}- ENCRYPTION_KEYS: ENCRYPTION_KEYS entry 1 needs the form/);
    expect(await environmentProblems({ SWITCHBOARD_LOCAL: "1", PORT: "abc" })).toMatch(
      /^Invalid environment:\n {2}- PORT: /,
    );
    expect(await environmentProblems({ SWITCHBOARD_LOCAL: "1" })).toBeUndefined();
  });

  it("npm start with SWITCHBOARD_LOCAL=0 and no keys prints one line and exits before migrating", async () => {
    const dataDir = mkdtempSync(join(tmpdir(), "switchboard-refuse-"));
    try {
      const child = spawn(process.execPath, ["--import", "tsx", "local/main.ts"], {
        env: {
          ...process.env,
          SWITCHBOARD_LOCAL: "0",
          ENCRYPTION_KEYS: "",
          OAUTH_STATE_SECRET: "",
          TRIGGER_SECRET_KEY: "",
          DATABASE_URL: "",
          DATA_DIR: dataDir,
          PORT: "0",
          LOG_LEVEL: "info",
        },
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stderr = "";
      let stdout = "";
      child.stderr.on("data", (d) => {
        stderr += d;
      });
      child.stdout.on("data", (d) => {
        stdout += d;
      });
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code).toBe(1);
      expect(stdout).toBe("");
      expect(stderr.trim().split("\n")).toEqual([
        expect.stringMatching(
          /^switchboard: refusing to start: ENCRYPTION_KEYS, OAUTH_STATE_SECRET, TRIGGER_SECRET_KEY/,
        ),
      ]);
      expect(readdirSync(dataDir)).toEqual([]);
    } finally {
      rmSync(dataDir, { recursive: true, force: true });
    }
  }, 120_000);

  it("npm start in sandbox mode logs where the simulators listen but none of their keys", async () => {
    const runtime = await startRuntimeProcess({ SWITCHBOARD_LOCAL: "1", SWITCHBOARD_SANDBOX: "1" });
    try {
      const health = await (await fetch(`${runtime.url}/healthz`)).json();
      expect(health).toMatchObject({ sandbox: true });
      const dataDir = runtime.dataDir;
      const recordFile = join(dataDir, "runtime.json");
      expect(existsSync(recordFile)).toBe(true);
      const env = (JSON.parse(readFileSync(recordFile, "utf8")) as { sandboxEnv: Record<string, string> })
        .sandboxEnv;
      const logs = runtime.logs();
      expect(logs).toContain("SANDBOX MODE");
      expect(logs).toContain(env.PLAID_API_URL!);
      const jwk = JSON.parse(env.SANDBOX_PLAID_SIGNING_JWK!) as { d: string };
      for (const secret of [jwk.d, env.SANDBOX_PAYPAL_SIGNING_KEY!, env.STRIPE_WEBHOOK_SECRET!]) {
        expect(logs).not.toContain(secret);
      }
    } finally {
      await runtime.stop();
    }
  }, 240_000);
});
