import type { Command } from "commander";
import { emit } from "./output.ts";
import { withDb } from "./with-db.ts";

export function registerDbCommand(program: Command): void {
  const db = program.command("db").description("database maintenance");
  db.command("migrate")
    .description("apply the committed migrations (under an advisory lock on PostgreSQL)")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { migrate } = await import("../../src/db/migrate.ts");
      const kind = await withDb(async (h) => {
        await migrate(h);
        return h.kind;
      });
      emit(opts.json, { migrated: true, database: kind }, () => `Database (${kind}) is up to date`);
    });
}
