import { asc, eq } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import type { Db } from "../db/types.ts";
import { assertTenantId } from "../db/with-tenant.ts";
import type { ConnectionRow } from "./connection-row.ts";

/** One tenant's connections, or every tenant's (operator view) when no tenant is given. */
export async function listConnections(
  db: Db,
  filter: { tenantId?: string | undefined } = {},
): Promise<ConnectionRow[]> {
  if (filter.tenantId) assertTenantId(filter.tenantId);
  return db
    .select()
    .from(integrationConnections)
    .where(filter.tenantId ? eq(integrationConnections.tenantId, filter.tenantId) : undefined)
    .orderBy(asc(integrationConnections.tenantId), asc(integrationConnections.provider));
}
