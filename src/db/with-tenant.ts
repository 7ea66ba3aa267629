import type { NeonQueryFunction } from "@neondatabase/serverless";
import { sql } from "drizzle-orm";
import { drizzle as drizzleHttp, NeonHttpDatabase } from "drizzle-orm/neon-http";
import * as schema from "../../db/schema.ts";
import { ValidationError } from "../errors.ts";
import type { Db, Tx } from "./types.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isTenantId = (value: string): boolean => UUID.test(value);

export function assertTenantId(tenantId: string): void {
  if (!isTenantId(tenantId)) throw new ValidationError(`Invalid tenant id "${tenantId}"`);
}

type HttpClient = NeonQueryFunction<boolean, boolean>;

/**
 * A Neon HTTP client whose every statement (and every batch) runs in one HTTP transaction that
 * first enters the tenant: `set_config('app.tenant_id', …, true)` and `SET LOCAL ROLE app_user`.
 */
function tenantHttpClient(client: HttpClient, tenantId: string): HttpClient {
  const enter = () => [
    client.query("select set_config('app.tenant_id', $1, true)", [tenantId]),
    client.query("set local role app_user"),
  ];
  const query = async (text: string, params?: unknown[], opts?: Record<string, unknown>) => {
    const results = await client.transaction([...enter(), client.query(text, params)], opts as never);
    return results[2];
  };
  const transaction = async (queries: unknown[], opts?: Record<string, unknown>) =>
    (await client.transaction([...enter(), ...(queries as never[])], opts as never)).slice(2);
  return Object.assign(query, { query, transaction }) as unknown as HttpClient;
}

/**
 * Runs `fn` scoped to one tenant: `app.tenant_id` is set and the role is switched to `app_user`,
 * so row-level security hides every other tenant's rows even from a query that forgets its
 * filter. Always use the `tx` handle inside `fn`.
 *
 * On an interactive driver (Neon Pool, PGlite) `fn` runs in one transaction. On the Neon HTTP
 * driver (edge handlers), which has no interactive transactions, each statement or batch `fn`
 * issues is its own HTTP transaction that enters the tenant first: the same isolation, but no
 * atomicity across statements (handler code is written as single statements for that reason).
 */
export async function withTenant<T>(db: Db, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  assertTenantId(tenantId);
  if (db instanceof NeonHttpDatabase) {
    const client = (db as unknown as { $client: HttpClient }).$client;
    return fn(drizzleHttp({ client: tenantHttpClient(client, tenantId), schema }) as unknown as Tx);
  }
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
    await tx.execute(sql`set local role app_user`);
    return fn(tx as Tx);
  });
}
