import { Option } from "commander";
import type { Db } from "../../src/db/types.ts";
import { NotFoundError, ValidationError } from "../../src/errors.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Refuses a malformed id before it reaches SQL, saying where to find a real one. */
export function requireId(value: string, what: string, listCommand: string): string {
  if (!UUID.test(value)) {
    throw new ValidationError(
      `"${value}" is not a ${what} id (ids are UUIDs); find it with \`${listCommand}\``,
    );
  }
  return value;
}

/** Refuses an unknown tenant with a sentence instead of a foreign-key violation. */
export async function requireTenant(db: Db, tenantId: string): Promise<void> {
  requireId(tenantId, "tenant", "switchboard tenants list");
  const { listTenants } = await import("../../src/tenants/list-tenants.ts");
  if (!(await listTenants(db)).some((t) => t.id === tenantId)) {
    throw new NotFoundError(
      `There is no tenant ${tenantId}; list them with \`switchboard tenants list\` or create one with \`switchboard tenants create --name <name>\``,
    );
  }
}

/** An option restricted to known values: a typo is an error, not an empty result. */
export function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  return new Option(flags, description).choices(choices);
}
