import { dirname, join } from "node:path";
import { migrate, migrationsFolder } from "../src/db/migrate.ts";
import type { DbHandle } from "../src/db/open-db.ts";

export const localRuntimeMigrations = {
  // Beside the production set (resolved the same way from source and from the compiled CLI).
  migrationsFolder: join(dirname(migrationsFolder), "local-runtime", "migrations"),
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
