import type { ExtractTablesWithRelations } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT, PgTransaction } from "drizzle-orm/pg-core";
import type * as schema from "../../db/schema.ts";

export type Schema = typeof schema;
/** A drizzle database on either driver (PGlite locally, the Neon Pool in production). */
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
export type Tx = PgTransaction<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;
/** Anything queries can run on: the database or a transaction. */
export type Queryable = Db | Tx;
export type DatabaseKind = "pglite" | "postgres";

/** Rows of a raw `execute(sql...)` result, whichever driver produced it. */
export function rowsOf<T>(result: unknown): T[] {
  return ((result as { rows?: T[] }).rows ?? []) as T[];
}
