import { subscribe, unsubscribe } from "node:diagnostics_channel";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../local/cli/output.ts";
import { runCliCommand } from "../local/cli/run-cli.ts";
import { type Runtime, startRuntime } from "../local/runtime.ts";
import { SANDBOX_TEST_KEYS } from "../local/sandbox/sandbox-info.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

// Every outgoing request, observed (not intercepted) through Node's diagnostics channels:
// undici for fetch, http.client for the node:http based SDKs.
const hosts: string[] = [];
const onFetch = (message: unknown) => {
  const { request } = message as { request: { origin: string } };
  hosts.push(new URL(request.origin).hostname);
};
const onHttp = (message: unknown) => {
  const { request } = message as { request: { host?: string; getHeader(name: string): unknown } };
  hosts.push(String(request.host ?? request.getHeader("host")).split(":")[0]!);
};

let db: TestDb;
let runtime: Runtime;
beforeAll(async () => {
  subscribe("undici:request:create", onFetch);
  subscribe("http.client.request.start", onHttp);
  db = await createTestDb();
  runtime = await startRuntime({ db, port: 0, secretKey: "tr_test", sandbox: true, cron: false });
});
afterAll(async () => {
  unsubscribe("undici:request:create", onFetch);
  unsubscribe("http.client.request.start", onHttp);
  await runtime?.close(1_000);
  await db?.close();
});

async function cli(args: string[]) {
  let stdout = "";
  let stderr = "";
  const io: CliIo = {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    exitCode: 0,
    handle: db,
    runtime,
  };
  const code = await runCliCommand(args, io);
  return { code, stdout, stderr };
}

async function newTenant(name: string): Promise<string> {
  return (await cli(["tenants", "create", "--name", name, "--id-only"])).stdout.trim();
}

describe("sandbox mode covers every provider a task or probe calls", () => {
  it.each(Object.entries(SANDBOX_TEST_KEYS).filter(([provider]) => provider !== "stripe_connect"))(
    "connects %s with its documented test key and refuses another key, on its simulator",
    async (provider, key) => {
      const tenant = await newTenant(`Keys ${provider}`);
      const good = await cli(["connections", "connect-key", tenant, provider, "--key", key, "--json"]);
      expect(good.code, good.stderr).toBe(0);
      const bad = await cli(["connections", "connect-key", tenant, provider, "--key", "wrong-key"]);
      expect(bad.code).toBe(1);
      expect(bad.stderr).toMatch(/rejected/i);
    },
  );

  it("refuses a provider with no simulator locally, naming it, instead of calling the real one", async () => {
    const tenant = await newTenant("Wise");
    const result = await cli(["connections", "connect-key", tenant, "wise", "--key", "anything"]);
    expect(result.code).toBe(1);
    expect(result.stderr).not.toMatch(/Failed query/);
  });

  it.each(["meta_ads", "slack", "google_drive"])(
    "completes a %s OAuth connection and lands on a page naming the provider and tenant",
    async (provider) => {
      const tenant = await newTenant(`OAuth ${provider}`);
      const started = await cli(["connections", "oauth-url", tenant, provider, "--json"]);
      expect(started.code, started.stderr).toBe(0);
      const page = await fetch((JSON.parse(started.stdout) as { url: string }).url);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain(`Connected ${provider} for OAuth ${provider} (${tenant})`);
      const listed = await cli(["connections", "list", "--tenant", tenant, "--json"]);
      expect(JSON.parse(listed.stdout)).toEqual([expect.objectContaining({ provider, status: "active" })]);
    },
  );

  it("made no request to anything but loopback", () => {
    expect(hosts.length).toBeGreaterThan(10);
    expect([...new Set(hosts)].filter((h) => !["127.0.0.1", "localhost", "::1"].includes(h))).toEqual([]);
  });
});
