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

describe("health status view (CLI and local runtime)", () => {
  it("runs the real sweep task in the runtime, then shows each connection's health in the CLI and as JSON", async () => {
    const tenant = (await cli(["tenants", "create", "--name", "Health", "--id-only"])).stdout.trim();
    const other = (await cli(["tenants", "create", "--name", "Other", "--id-only"])).stdout.trim();
    for (const [t, provider] of [
      [tenant, "lob"],
      [tenant, "retell"],
      [other, "lob"],
    ] as const) {
      const key = SANDBOX_TEST_KEYS[provider]!;
      expect((await cli(["connections", "connect-key", t, provider, "--key", key])).code).toBe(0);
    }
    const sweep = await cli(["task", "run", "health-sweep", "--json"]);
    expect(sweep.code, sweep.stderr).toBe(0);
    expect(JSON.parse(sweep.stdout)).toMatchObject({ status: "completed", output: { due: 3, chunks: 2 } });

    // The sweep fans out; its child runs check the connections.
    const children = await waitUntil(async () => {
      const runs = JSON.parse(
        (await cli(["runs", "list", "--task", "health-check-connections", "--json"])).stdout,
      ) as {
        status: string;
        output: { checked: number } | null;
      }[];
      return runs.length === 2 && runs.every((r) => r.status === "completed") && runs;
    }, 30_000);
    expect(children.reduce((n, r) => n + r.output!.checked, 0)).toBe(3);
    const shown = await cli(["health", "--tenant", tenant, "--json", "--history", "3"]);
    expect(shown.code, shown.stderr).toBe(0);
    const { connections } = JSON.parse(shown.stdout) as { connections: ConnectionHealth[] };
    expect(connections.map((c) => c.provider).sort()).toEqual(["lob", "retell"]);
    for (const c of connections) {
      expect(c).toMatchObject({
        tenantId: tenant,
        status: "active",
        consecutiveFailures: 0,
      });
      expect(c.lastCheckedAt).not.toBeNull();
      // ok, or degraded when a loaded machine made the probe slower than 500 ms.
      expect(["ok", "degraded"]).toContain(c.healthState);
      expect(c.checks).toHaveLength(1);
    }
    const human = await cli(["health"]);
    expect(human.stdout).toMatch(/provider\s+status\s+health/);
    // The sandbox's platform credentials (Plaid, PayPal keys) were probed by the same sweep
    // (degraded only when a loaded machine made a probe slower than 500 ms).
    expect(human.stdout).toMatch(
      /Platform credentials[\s\S]*paypal\s+(ok|degraded)[\s\S]*plaid\s+(ok|degraded)/,
    );
    expect(human.stdout.match(/\bactive\b/g)?.length).toBe(3);

    const url = `${runtime.url}/health/connections?tenant=${tenant}`;
    expect((await fetch(url)).status).toBe(401);
    const served = await fetch(url, { headers: { authorization: "Bearer tr_test" } });
    expect(served.status).toBe(200);
    const body = (await served.json()) as { connections: ConnectionHealth[] };
    expect(body.connections.map((c) => c.id).sort()).toEqual(connections.map((c) => c.id).sort());
    const all = (await (
      await fetch(`${runtime.url}/health/connections`, { headers: { authorization: "Bearer tr_test" } })
    ).json()) as { connections: ConnectionHealth[]; platformCredentials: { provider: string }[] };
    expect(all.connections).toHaveLength(3);
    expect(all.platformCredentials.map((p) => p.provider)).toEqual(["paypal", "plaid"]);
    expect(body).not.toHaveProperty("platformCredentials");
    const bad = await fetch(`${runtime.url}/health/connections?tenant=nope`, {
      headers: { authorization: "Bearer tr_test" },
    });
    expect(bad.status).toBe(400);
  });
});
