import { fileURLToPath } from "node:url";
import { migrate } from "../src/db/migrate.ts";
import type { DbHandle } from "../src/db/open-db.ts";

export const localRuntimeMigrations = {
  migrationsFolder: fileURLToPath(new URL("../db/local-runtime/migrations", import.meta.url)),
  migrationsTable: "__local_runtime_migrations",
};

/**
 * Applies the production migrations, then the local runtime's own set (runs, batches, cron
 * ticks), which `npm run db:migrate` never applies to a production database.
 */
export async function migrateLocalRuntime(handle: DbHandle): Promise<void> {
  await migrate(handle);
  await migrate(handle, localRuntimeMigrations);
}
