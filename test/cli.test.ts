import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiKeySimulator, startApiKeySimulator } from "../local/sandbox/api-key-server.ts";
import { openDb } from "../src/db/open-db.ts";
import { recordWebhookEvent } from "../src/inbox/record-webhook-event.ts";
import { runCli } from "./helpers/run-cli.ts";
import { pgliteTemplatePath } from "./helpers/template.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let server: TestDb | undefined;
let resend: ApiKeySimulator;
let env: Record<string, string | undefined>;

beforeAll(async () => {
  const dataDir = mkdtempSync(join(tmpdir(), "sb-cli-"));
  if (process.env.TEST_DATABASE_URL) server = await createTestDb();
  resend = await startApiKeySimulator({ validKeys: ["re_cli_valid"] });
  if (!server) {
    // The CLI's PGlite directory starts from the migrated template, as a used database would.
    const seeded = await openDb({
      url: `pglite://${join(dataDir, "pglite")}`,
      loadDataDir: new Blob([readFileSync(pgliteTemplatePath())]),
    });
    await seeded.close();
  }
  env = {
    RESEND_API_URL: resend.url,
    SLACK_CLIENT_ID: "cli-client",
    SLACK_AUTH_URL: "http://slack.test/oauth/v2/authorize",
    PUBLIC_BASE_URL: "http://switchboard.test",
    DATA_DIR: dataDir,
    DATABASE_URL: server?.url ?? `pglite://${join(dataDir, "pglite")}`,
    LOG_LEVEL: "info",
    SWITCHBOARD_SANDBOX: "0",
  };
}, 180_000);
afterAll(async () => {
  await resend?.close();
  await server?.close();
});

// Each case spawns several CLI processes (each opens PGlite): allow for a loaded machine.
describe("switchboard CLI", { timeout: 300_000 }, () => {
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

  it("exits when its work is done with the sandbox on (simulators started and closed), even after an error", async () => {
    const sandboxEnv = { ...env, SWITCHBOARD_SANDBOX: "1" };
    // runCli rejects if the process has not exited within the bound.
    const ran = await runCli(["task", "run", "credentials-rotate-keys", "--json"], sandboxEnv, 90_000);
    expect(ran.code, ran.stderr).toBe(0);
    const unknown = await runCli(["task", "run", "no-such-task"], sandboxEnv, 90_000);
    expect(unknown.code).toBe(1);
    const info = await runCli(["sandbox", "info", "--json"], sandboxEnv, 90_000);
    expect(JSON.parse(info.stdout)).toMatchObject({
      running: false,
      testKeys: { resend: "re_sandbox_valid_key" },
    });
  });

  it("migrates on demand", async () => {
    const migrated = await runCli(["db", "migrate", "--json"], env);
    expect(migrated.code).toBe(0);
    expect(JSON.parse(migrated.stdout)).toMatchObject({ migrated: true });
  });

  it("connects a key after validating it, lists it, and refuses an invalid one", async () => {
    const tenant = JSON.parse(
      (await runCli(["tenants", "create", "--name", "Keys", "--json"], env)).stdout,
    ) as { id: string };
    const bad = await runCli(["connections", "connect-key", tenant.id, "resend", "--key", "re_nope"], env);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("Resend rejected the credential");
    const good = await runCli(
      ["connections", "connect-key", tenant.id, "resend", "--key", "re_cli_valid", "--json"],
      env,
    );
    expect(good.code, good.stderr).toBe(0);
    const { connectionId } = JSON.parse(good.stdout) as { connectionId: string };
    const listed = await runCli(["connections", "list", "--tenant", tenant.id, "--json"], env);
    const rows = JSON.parse(listed.stdout) as Record<string, unknown>[];
    expect(rows).toEqual([
      expect.objectContaining({
        id: connectionId,
        tenantId: tenant.id,
        provider: "resend",
        status: "active",
        tokenExpiresAt: null,
        lastError: null,
      }),
    ]);
    expect(listed.stdout).not.toContain("re_cli_valid");
    const disconnected = await runCli(["connections", "disconnect", connectionId, "--json"], env);
    expect(JSON.parse(disconnected.stdout)).toMatchObject({ connectionId, revocation: "unsupported" });
  });

  it("prints an OAuth URL with a signed state as JSON", async () => {
    const tenant = JSON.parse(
      (await runCli(["tenants", "create", "--name", "OAuth", "--json"], env)).stdout,
    ) as { id: string };
    const result = await runCli(
      [
        "connections",
        "oauth-url",
        tenant.id,
        "slack",
        "--return-url",
        "http://switchboard.test/done",
        "--json",
      ],
      env,
    );
    expect(result.code, result.stderr).toBe(0);
    const url = new URL((JSON.parse(result.stdout) as { url: string }).url);
    expect(`${url.origin}${url.pathname}`).toBe("http://slack.test/oauth/v2/authorize");
    expect(url.searchParams.get("client_id")).toBe("cli-client");
    expect(url.searchParams.get("redirect_uri")).toBe("http://switchboard.test/oauth/callback/slack");
    expect(url.searchParams.get("state")).toMatch(/^[\w-]+\.[\w-]+$/);
  });

  it("lists stored webhook events and replays one", async () => {
    await runCli(["db", "migrate"], env);
    const handle = await openDb({ url: env.DATABASE_URL });
    const stored = await recordWebhookEvent(handle.db, {
      provider: "stripe",
      dedupeKey: "evt_cli_1",
      tenantId: null,
      type: "payout.paid",
      body: new TextEncoder().encode('{"id":"evt_cli_1"}'),
      json: '{"id":"evt_cli_1"}',
    }).finally(() => handle.close());
    const listed = await runCli(["webhooks", "list", "--provider", "stripe", "--json"], env);
    expect(JSON.parse(listed.stdout)).toEqual([
      expect.objectContaining({
        id: stored.id,
        provider: "stripe",
        dedupeKey: "evt_cli_1",
        type: "payout.paid",
        status: "received",
      }),
    ]);
    const replayed = await runCli(["webhooks", "replay", stored.id, "--json"], env);
    expect(JSON.parse(replayed.stdout)).toMatchObject({
      eventId: stored.id,
      status: "unrouted",
      capability: null,
    });
    const unrouted = await runCli(["webhooks", "list", "--status", "unrouted", "--json"], env);
    expect((JSON.parse(unrouted.stdout) as { id: string }[]).map((e) => e.id)).toEqual([stored.id]);
  });
});
