import * as schema from "../../db/schema.ts";
import type { DbHandle } from "./open-db.ts";
import { acquirePgliteLock } from "./pglite-lock.ts";
import type { Db } from "./types.ts";

/**
 * Opens embedded PGlite (the local runtime, the CLI and tests). Loaded only through a dynamic
 * import from `openDb`, and replaced by a refusal in deployed worker builds (trigger.config.ts),
 * so PGlite (~27 MB) never ships to Trigger.dev.
 */
export async function openPglite(
  dataDir: string | undefined,
  loadDataDir: Blob | undefined,
): Promise<DbHandle> {
  const [{ PGlite }, { drizzle }] = await Promise.all([
    import("@electric-sql/pglite"),
    import("drizzle-orm/pglite"),
  ]);
  const release = dataDir ? acquirePgliteLock(dataDir) : () => {};
  try {
    const pglite = new PGlite({ ...(dataDir ? { dataDir } : {}), ...(loadDataDir ? { loadDataDir } : {}) });
    await pglite.waitReady;
    const db = drizzle({ client: pglite, schema }) as unknown as Db;
    return {
      db,
      kind: "pglite",
      pglite,
      close: async () => {
        try {
          await pglite.close();
        } finally {
          release();
        }
      },
    };
  } catch (err) {
    release();
    throw err;
  }
}
