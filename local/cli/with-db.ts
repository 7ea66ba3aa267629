import type { DbHandle } from "../../src/db/open-db.ts";
import { cliIo } from "./output.ts";

/**
 * Runs `fn` on the database: inside a running `npm start` on its open handle; otherwise opens
 * DATABASE_URL (PGlite by default), migrates, runs `fn` and always closes. Commands that read the
 * local runtime's runs pass `localRuntime` to apply its tables too; the others (and `db migrate`)
 * apply the production migrations only.
 */
export async function withDb<T>(
  fn: (handle: DbHandle) => Promise<T>,
  options: { localRuntime?: boolean } = {},
): Promise<T> {
  const shared = cliIo().handle;
  if (shared) return fn(shared);
  const [{ openDb }, { migrate }, { migrateLocalRuntime }] = await Promise.all([
    import("../../src/db/open-db.ts"),
    import("../../src/db/migrate.ts"),
    import("../migrate-local-runtime.ts"),
  ]);
  const handle = await openDb();
  try {
    await (options.localRuntime ? migrateLocalRuntime(handle) : migrate(handle));
    return await fn(handle);
  } finally {
    await handle.close();
  }
}
