import { asc, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import type { Db } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import type { ConnectionRow } from "./connection-row.ts";

/**
 * One tenant's connections (under `withTenant`), or every tenant's when no tenant is given: the
 * operator view, which reads across tenants on purpose.
 */
export async function listConnections(
  db: Db,
  filter: { tenantId?: string | undefined } = {},
): Promise<ConnectionRow[]> {
  const { tenantId } = filter;
  const order = [asc(integrationConnections.tenantId), asc(integrationConnections.provider)];
  // Only an absent tenant means every tenant: an empty one is refused by withTenant.
  if (tenantId === undefined)
    return db
      .select()
      .from(integrationConnections)
      .orderBy(...order);
  return withTenant(db, tenantId, (tx) =>
    tx
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.tenantId, tenantId))
      .orderBy(...order),
  );
}
