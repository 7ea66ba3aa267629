import type { Command } from "commander";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

export function registerTenantsCommand(program: Command): void {
  const tenants = program.command("tenants").description("create and list tenants");
  tenants
    .command("create")
    .requiredOption("--name <name>", "display name")
    .option("--json", "print JSON")
    .option("--id-only", "print only the new tenant's id (for TENANT=$(…) in scripts)")
    .action(async (opts: { name: string; json?: boolean; idOnly?: boolean }) => {
      const { createTenant } = await import("../../src/tenants/create-tenant.ts");
      const tenant = await withDb((h) => createTenant(h.db, { name: opts.name }));
      if (opts.idOnly) return emit(false, tenant.id, () => tenant.id);
      emit(
        opts.json,
        { id: tenant.id, name: tenant.name, createdAt: tenant.createdAt },
        () => `Created tenant ${tenant.id} (${tenant.name})`,
      );
    });
  tenants
    .command("list")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { listTenants } = await import("../../src/tenants/list-tenants.ts");
      const rows = await withDb((h) => listTenants(h.db));
      emit(opts.json, rows, () => table(rows, ["id", "name", "createdAt"]));
    });
}
