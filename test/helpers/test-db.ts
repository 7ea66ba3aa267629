import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { sql } from "drizzle-orm";
import { type DbHandle, openDb } from "../../src/db/open-db.ts";
import { rowsOf } from "../../src/db/types.ts";
import { pgliteTemplatePath, postgresTemplateName, withDatabase } from "./template.ts";

export interface TestDb extends DbHandle {
  /** The URL another process (the CLI, a second runtime) can open, when there is one. */
  url: string | undefined;
  truncate(): Promise<void>;
}

async function truncateAll(handle: DbHandle): Promise<void> {
  const tables = rowsOf<{ tablename: string }>(
    await handle.db.execute(sql`select tablename from pg_tables where schemaname = 'public'`),
  ).map((r) => `"${r.tablename}"`);
  if (tables.length > 0) await handle.db.execute(sql.raw(`truncate ${tables.join(", ")} cascade`));
}

/**
 * A migrated database for one test file: PGlite loaded from the cached template by default, or,
 * with TEST_DATABASE_URL, a fresh database on that server (copied from the migrated template)
 * reached through the Neon driver and the local WebSocket bridge.
 */
export async function createTestDb(): Promise<TestDb> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const template = new Blob([readFileSync(pgliteTemplatePath())]);
    const handle = await openDb({ url: "memory://", loadDataDir: template });
    return { ...handle, url: undefined, truncate: () => truncateAll(handle) };
  }
  const name = `sb_test_${randomBytes(6).toString("hex")}`;
  const admin = await openDb({ url: serverUrl });
  for (let attempt = 0; ; attempt++) {
    try {
      await admin.db.execute(sql.raw(`create database "${name}" template "${postgresTemplateName()}"`));
      break;
    } catch (err) {
      // Two files copying the template at the same instant: PostgreSQL refuses one; try again.
      if (attempt >= 20) throw err;
      await new Promise((r) => setTimeout(r, 100 + Math.random() * 200));
    }
  }
  const url = withDatabase(serverUrl, name);
  // Tests stand in for several processes at once (runtimes, CLI, workers): a pool, not one connection.
  const handle = await openDb({ url, poolMax: 10 });
  return {
    ...handle,
    url,
    truncate: () => truncateAll(handle),
    close: async () => {
      await handle.close();
      await admin.db.execute(sql.raw(`drop database if exists "${name}" with (force)`));
      await admin.close();
    },
  };
}
