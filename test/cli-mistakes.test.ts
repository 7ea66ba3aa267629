import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CliIo } from "../local/cli/output.ts";
import { runCliCommand } from "../local/cli/run-cli.ts";
import { createTenant } from "../src/tenants/create-tenant.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let db: TestDb;
let tenantId: string;
beforeAll(async () => {
  db = await createTestDb();
  tenantId = (await createTenant(db.db, { name: "Mistakes" })).id;
});
afterAll(async () => {
  await db?.close();
});

/** Runs a CLI invocation the way a running `npm start` does: on an open database, output captured. */
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
  };
  const code = await runCliCommand(args, io);
  return { code, stdout, stderr };
}

const UNKNOWN = "0b7e1c3a-5d2f-4e6a-9c8b-1a2b3c4d5e6f";

// Each mistake a newcomer makes → the one sentence they get: what is wrong and what to do.
const MISTAKES: { args: () => string[]; message: RegExp; code: number }[] = [
  {
    args: () => ["connections", "connect-key", UNKNOWN, "resend", "--key", "re_x"],
    message: /There is no tenant .*switchboard tenants list/,
    code: 1,
  },
  {
    args: () => ["connections", "oauth-url", UNKNOWN, "slack"],
    message: /There is no tenant .*switchboard tenants create/,
    code: 1,
  },
  {
    args: () => ["connections", "connect-key", "acme", "resend", "--key", "re_x"],
    message: /"acme" is not a tenant id \(ids are UUIDs\)/,
    code: 1,
  },
  {
    args: () => ["webhooks", "replay", "42"],
    message: /"42" is not a webhook event id .*switchboard webhooks list/,
    code: 1,
  },
  { args: () => ["webhooks", "replay", UNKNOWN], message: /No webhook event/, code: 1 },
  {
    args: () => ["connections", "disconnect", "conn_1"],
    message: /"conn_1" is not a connection id .*switchboard connections list/,
    code: 1,
  },
  { args: () => ["connections", "refresh", "nope"], message: /"nope" is not a connection id/, code: 1 },
  {
    args: () => ["runs", "list", "--status", "done"],
    message:
      /argument 'done' is invalid\. Allowed choices are queued, running, completed, failed, interrupted/,
    code: 2,
  },
  {
    args: () => ["webhooks", "list", "--status", "ok"],
    message: /Allowed choices are received, processing, processed, unrouted, failed, malformed/,
    code: 2,
  },
  {
    args: () => ["webhooks", "list", "--provider", "shopify"],
    message: /Allowed choices are stripe/,
    code: 2,
  },
  {
    args: () => ["task", "run", "credentials-rotate-keys", "--payload", "{nope"],
    message: /--payload is not valid JSON/,
    code: 1,
  },
  {
    args: () => ["connections", "connect-key", tenantId, "resend"],
    message: /Missing credential field/,
    code: 1,
  },
  {
    args: () => ["connections", "connect-key", tenantId, "slack", "--key", "k"],
    message: /connects with OAuth/,
    code: 1,
  },
  { args: () => ["tenants", "create"], message: /required option '--name <name>' not specified/, code: 2 },
  { args: () => ["tenant", "list"], message: /unknown command 'tenant'/, code: 2 },
];

describe("CLI mistakes", () => {
  it.each(MISTAKES.map((m) => [m.args().join(" "), m] as const))(
    "`switchboard %s` says what is wrong and what to do, without SQL or stacks",
    async (_name, mistake) => {
      const result = await cli(mistake.args());
      expect(result.code).toBe(mistake.code);
      expect(result.stderr).toMatch(mistake.message);
      expect(result.stderr).not.toMatch(/Failed query|select |insert |params:|\n\s+at /i);
      expect(result.stdout).toBe("");
    },
  );

  it("prints the stack and cause only with --debug", async () => {
    const plain = await cli(["webhooks", "replay", UNKNOWN]);
    const debug = await cli(["webhooks", "replay", UNKNOWN, "--debug"]);
    expect(plain.stderr).not.toMatch(/\n\s+at /);
    expect(debug.stderr).toMatch(/\n\s+at /);
  });
});
