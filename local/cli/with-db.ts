import { migrate } from "../../src/db/migrate.ts";
import { type DbHandle, openDb } from "../../src/db/open-db.ts";

/** Opens DATABASE_URL (PGlite by default), migrates, runs `fn`, always closes. */
export async function withDb<T>(fn: (handle: DbHandle) => Promise<T>): Promise<T> {
  const handle = await openDb();
  try {
    await migrate(handle);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}
