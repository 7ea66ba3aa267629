import { sql } from "drizzle-orm";
import { rowsOf } from "../db/types.ts";
import { NotFoundError } from "../errors.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import {
  type RefreshOptions,
  type RefreshOutcome,
  refreshConnectionToken,
} from "./refresh-connection-token.ts";

/**
 * Operator path (`switchboard connections refresh <id>`): finds which tenant owns the connection
 * — a cross-tenant read by id, as for the other operator actions of ADR 007 — then refreshes it
 * under that tenant.
 */
export async function refreshConnectionById(
  deps: ConnectionDeps,
  connectionId: string,
  options: RefreshOptions = {},
): Promise<RefreshOutcome> {
  const [row] = rowsOf<{ tenant_id: string }>(
    await deps.db.execute(sql`select tenant_id from integration_connections where id = ${connectionId}`),
  );
  if (!row) throw new NotFoundError(`No connection ${connectionId}`);
  return refreshConnectionToken(deps, { id: connectionId, tenantId: row.tenant_id }, options);
}
