import { fileURLToPath } from "node:url";
import { Client } from "@neondatabase/serverless";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import { migrate as migrateNeon } from "drizzle-orm/neon-serverless/migrator";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import { ConfigError } from "../errors.ts";
import type { DbHandle } from "./open-db.ts";

export const migrationsFolder = fileURLToPath(new URL("../../db/migrations", import.meta.url));

/** A committed migration set and the table (in schema `drizzle`) that records what was applied. */
export interface MigrationSet {
  migrationsFolder: string;
  migrationsTable?: string;
}

/** The production schema (`db/schema.ts`): what `npm run db:migrate` applies. */
export const productionMigrations: MigrationSet = { migrationsFolder };

/** Arbitrary constant: the advisory lock every migrator of this schema takes. */
const MIGRATION_LOCK_ID = 4_242_001;

/**
 * Applies the committed migrations (forward-only). On PostgreSQL it holds a session advisory lock
 * on a dedicated connection, because concurrent migrators otherwise collide; PGlite is
 * single-process by construction (lock file). That connection goes to the handle's migration URL
 * (DATABASE_URL_UNPOOLED on Neon): a transaction-mode pooler (`-pooler`) cannot hold a session
 * lock, so a pooled URL is refused.
 */
export async function migrate(handle: DbHandle, set: MigrationSet = productionMigrations): Promise<void> {
  if (handle.kind === "pglite") {
    await migratePglite(handle.db as unknown as PgliteDatabase, set);
    return;
  }
  const direct = handle.migrationUrl;
  if (direct && new URL(direct).hostname.includes("-pooler")) {
    throw new ConfigError(
      "Migrations need a direct connection: set DATABASE_URL_UNPOOLED to the endpoint without -pooler",
      { context: { host: new URL(direct).hostname } },
    );
  }
  if (!direct) throw new ConfigError("This database handle has no migration URL");
  const client = new Client({ connectionString: direct });
  await client.connect();
  try {
    await client.query("select pg_advisory_lock($1)", [MIGRATION_LOCK_ID]);
    try {
      await migrateNeon(drizzleNeon({ client }), set);
    } finally {
      await client.query("select pg_advisory_unlock($1)", [MIGRATION_LOCK_ID]);
    }
  } finally {
    await client.end();
  }
}
