import { createServer } from "node:net";
import { sql } from "drizzle-orm";
import { transform } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "../test/helpers/test-db.ts";
import { ConfigError } from "./errors.ts";
import { formatError } from "./format-error.ts";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => {
  await db?.close();
});

async function caught(fn: () => Promise<unknown>): Promise<unknown> {
  try {
    await fn();
  } catch (err) {
    return err;
  }
  throw new Error("expected a failure");
}

describe("formatError", () => {
  it("turns a foreign-key violation into a sentence without the SQL or its parameters", async () => {
    const err = await caught(() =>
      db.db.execute(
        sql`insert into integration_connections (tenant_id, provider, status, credentials) values ('0b7e1c3a-5d2f-4e6a-9c8b-1a2b3c4d5e6f', 'resend', 'active', '{"api_key":"ciphertext-XYZ"}')`,
      ),
    );
    const text = formatError(err);
    expect(text).toMatch(/refers to something that does not exist.*list/);
    expect(text).not.toMatch(/insert|ciphertext-XYZ/);
  });

  it("turns a malformed uuid into a sentence", async () => {
    const err = await caught(() => db.db.execute(sql`select * from tenants where id = ${"nope"}`));
    expect(formatError(err)).toMatch(/malformed \(an id must be a UUID\)/);
    expect(formatError(err)).not.toContain("select");
  });

  it("says which port is in use and to set PORT", async () => {
    const first = createServer();
    await new Promise<void>((r) => first.listen(0, "127.0.0.1", r));
    const port = (first.address() as { port: number }).port;
    const second = createServer();
    const err = await new Promise<unknown>((resolve) => {
      second.once("error", resolve);
      second.listen(port, "127.0.0.1");
    });
    first.close();
    expect(formatError(err)).toMatch(new RegExp(`^port ${port} is in use; set PORT`));
  });

  it("lists every configuration problem and says where to fix them; stacks only with debug", () => {
    const err = new ConfigError("Invalid environment:\n  - PORT: too big\n  - ENCRYPTION_KEYS: bad key");
    expect(formatError(err)).toContain("PORT: too big\n  - ENCRYPTION_KEYS: bad key");
    expect(formatError(err)).toContain("see .env.example");
    expect(formatError(err)).not.toMatch(/\n\s+at /);
    expect(formatError(err, { debug: true })).toMatch(/\n\s+at /);
  });

  it("names file:line:col and the message of a compile error (esbuild's, and tsx's message alone)", async () => {
    const file = `${process.cwd()}/trigger/broken.ts`;
    const err = await transform("export const x = ;", { loader: "ts", sourcefile: file }).catch(
      (e: unknown) => e,
    );
    expect(formatError(err)).toBe(`A file does not compile: ${file}:1:18: Unexpected ";"`);
    // tsx's loader hands the import only the message (absolute paths): shown relative to the cwd.
    const fromTsx = new Error(`Transform failed with 1 error:\n${file}:1:17: ERROR: Unexpected ";"`);
    expect(formatError(fromTsx)).toBe('A file does not compile: trigger/broken.ts:1:18: Unexpected ";"');
  });
});
