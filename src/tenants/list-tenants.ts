import { asc } from "drizzle-orm";
import { tenants } from "../../db/schema.ts";
import type { Db } from "../db/types.ts";
import type { Tenant } from "./create-tenant.ts";

/** Every tenant (an operator view: cross-tenant by nature). */
export async function listTenants(db: Db): Promise<Tenant[]> {
  return db
    .select({ id: tenants.id, name: tenants.name, createdAt: tenants.createdAt })
    .from(tenants)
    .orderBy(asc(tenants.createdAt), asc(tenants.id));
}
