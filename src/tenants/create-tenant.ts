import { tenants } from "../../db/schema.ts";
import type { Db } from "../db/types.ts";
import { ValidationError } from "../errors.ts";

export interface Tenant {
  id: string;
  name: string;
  createdAt: Date;
}

export async function createTenant(db: Db, input: { name: string }): Promise<Tenant> {
  const name = input.name.trim();
  if (!name) throw new ValidationError("A tenant needs a non-empty name");
  if (name.length > 200) throw new ValidationError("A tenant name is at most 200 characters");
  const [row] = await db
    .insert(tenants)
    .values({ name })
    .returning({ id: tenants.id, name: tenants.name, createdAt: tenants.createdAt });
  return row!;
}
