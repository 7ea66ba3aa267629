import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errorAnswer } from "../local/error-answer.ts";
import { ConfigError, ValidationError } from "../src/errors.ts";
import { formatError } from "../src/format-error.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.close());

const SECRET = "sk_live_do_not_echo";

async function failing(statement: ReturnType<typeof sql>): Promise<unknown> {
  return db.db.execute(statement).then(
    () => expect.fail("the statement should fail"),
    (err: unknown) => err,
  );
}

async function answer(err: unknown) {
  const response = errorAnswer(err);
  return { status: response.status, body: (await response.json()) as { error: string } };
}

describe("the local runtime's error answers speak the CLI's sentences", () => {
  it("a query on a table that does not exist: what to do, no SQL and no parameter", async () => {
    const err = await failing(sql`select * from no_such_table where token = ${SECRET}`);
    const { status, body } = await answer(err);
    expect(status).toBe(500);
    expect(body.error).toBe(formatError(err));
    expect(body.error).toMatch(/not migrated; run `switchboard db migrate`/);
    expect(JSON.stringify(body)).not.toMatch(/select|no_such_table|sk_live/i);
  });

  it("any other failed query: a sentence pointing at --debug, never the statement", async () => {
    const err = await failing(sql`selec ${SECRET}`);
    const { body } = await answer(err);
    expect(body.error).toMatch(/A database query failed/);
    expect(JSON.stringify(body)).not.toMatch(/selec|sk_live/);
  });

  it("a refused connection names the address to fix", async () => {
    const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:5999"), {
      code: "ECONNREFUSED",
      address: "127.0.0.1",
      port: 5999,
    });
    const { body } = await answer(new Error("fetch failed", { cause: refused }));
    expect(body.error).toBe("nothing answers at 127.0.0.1:5999; start that service or fix its URL");
  });

  it("our own errors keep their status and sentence; configuration problems say where to fix them", async () => {
    expect(await answer(new ValidationError("limit must be 1-1000"))).toEqual({
      status: 400,
      body: { error: "limit must be 1-1000", code: "validation_failed" },
    });
    const config = await answer(new ConfigError("ENCRYPTION_KEYS is empty"));
    expect(config.body.error).toMatch(/ENCRYPTION_KEYS is empty\nFix these in .env/);
  });

  it("an error it does not recognise answers a generic sentence, not its message", async () => {
    const { status, body } = await answer(new SyntaxError(`Unexpected token in {"api_key":"${SECRET}"}`));
    expect(status).toBe(500);
    expect(body.error).toBe("Internal error; the runtime's log has the details");
  });
});
