import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../../local/cli/output.ts";
import { runCliCommand } from "../../local/cli/run-cli.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { SANDBOX_TEST_KEYS } from "../../local/sandbox/sandbox-info.ts";
import type { ConnectionHealth } from "../../src/health/list-connection-health.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";
import { waitUntil } from "../helpers/wait-until.ts";

let db: TestDb;
let runtime: Runtime;
beforeAll(async () => {
  db = await createTestDb();
  runtime = await startRuntime({ db, port: 0, secretKey: "tr_test", sandbox: true, cron: false });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await db?.close();
});

async function cli(args: string[], forwarded = true) {
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
    ...(forwarded ? { runtime } : {}),
  };
  const code = await runCliCommand(args, io);
  return { code, stdout, stderr };
}

describe("sandbox knobs: break a provider in the running sandbox and see the alert", () => {
  it("a revoked key (sandbox fault lob --status 401) is one alert after one sweep, shown by health", async () => {
    const tenant = (await cli(["tenants", "create", "--name", "Knobs", "--id-only"])).stdout.trim();
    const key = SANDBOX_TEST_KEYS.lob!;
    expect((await cli(["connections", "connect-key", tenant, "lob", "--key", key])).code).toBe(0);
    const fault = await cli(["sandbox", "fault", "lob", "--status", "401", "--message", "key revoked"]);
    expect(fault.code, fault.stderr).toBe(0);

    expect((await cli(["task", "run", "health-sweep", "--json"])).code).toBe(0);
    // The sweep fans out; its child run checks the connection and tells the change.
    await waitUntil(async () => {
      const runs = JSON.parse(
        (await cli(["runs", "list", "--task", "health-check-connections", "--json"])).stdout,
      ) as { status: string }[];
      return runs.length === 1 && runs[0]!.status === "completed";
    }, 30_000);
    const [lob] = await waitUntil(async () => {
      const shown = JSON.parse((await cli(["health", "--tenant", tenant, "--json"])).stdout) as {
        connections: ConnectionHealth[];
      };
      return shown.connections[0]?.lastCheckedAt ? shown.connections : undefined;
    }, 30_000);
    expect(lob).toMatchObject({ status: "expired", lastErrorClass: "auth" });
    expect(lob!.lastError).toContain("key revoked");

    const alerts = JSON.parse((await cli(["sandbox", "alerts", "--json"])).stdout) as { text: string }[];
    expect(alerts).toHaveLength(1);
    expect(alerts[0]!.text).toMatch(/Lob access expired or was revoked \(.*key revoked/);

    expect((await cli(["sandbox", "fault", "lob", "--clear"])).code).toBe(0);
    const before = runtime.sandbox!.lob.requests.length;
    await fetch(`${runtime.sandbox!.lob.url}/v1/addresses?limit=1`, {
      headers: { authorization: `Basic ${btoa(`${key}:`)}` },
    }).then((r) => expect(r.status).toBe(200));
    expect(runtime.sandbox!.lob.requests.length).toBe(before + 1);
  });

  it("says what it needs when no sandbox runtime hosts the simulators", async () => {
    const alerts = await cli(["sandbox", "alerts"], false);
    expect(alerts.code).not.toBe(0);
    expect(alerts.stderr).toMatch(/running `npm start` in sandbox mode/);
  });
});
