import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";

/** Deletes OAuth states expired for over a day (used or abandoned connect attempts). Cross-tenant. */
export async function purgeExpiredOAuthStates(db: Db): Promise<number> {
  return rowsOf(
    await db.execute(
      sql`delete from oauth_states where expires_at < now() - interval '1 day' returning nonce`,
    ),
  ).length;
}
