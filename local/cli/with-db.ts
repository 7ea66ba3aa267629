import type { DbHandle } from "../../src/db/open-db.ts";
import { cliIo } from "./output.ts";

/**
 * Runs `fn` on the database: inside a running `npm start` on its open handle; otherwise opens
 * DATABASE_URL (PGlite by default), migrates, runs `fn` and always closes.
 */
export async function withDb<T>(fn: (handle: DbHandle) => Promise<T>): Promise<T> {
  const shared = cliIo().handle;
  if (shared) return fn(shared);
  const [{ openDb }, { migrate }] = await Promise.all([
    import("../../src/db/open-db.ts"),
    import("../../src/db/migrate.ts"),
  ]);
  const handle = await openDb();
  try {
    await migrate(handle);
    return await fn(handle);
  } finally {
    await handle.close();
  }
}
