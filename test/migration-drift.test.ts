import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { checkMigrationDrift } from "./helpers/migration-drift.ts";

describe("committed migrations match db/schema.ts (drizzle-kit generate adds nothing)", () => {
  it("finds no drift in the production migrations", async () => {
    const report = await checkMigrationDrift({ schema: "db/schema.ts", migrations: "db/migrations" });
    expect(report, report.output).toMatchObject({ drifted: false, newFiles: [] });
  });

  it("finds no drift in the local runtime's own migrations", async () => {
    const report = await checkMigrationDrift({
      schema: "db/local-runtime/schema.ts",
      migrations: "db/local-runtime/migrations",
    });
    expect(report, report.output).toMatchObject({ drifted: false, newFiles: [] });
  });

  it("reports drift when the schema declares a table no migration creates", async () => {
    const cache = resolve("node_modules/.cache/switchboard-drift");
    mkdirSync(cache, { recursive: true });
    const dir = mkdtempSync(join(cache, "schema-"));
    try {
      const schema = join(dir, "schema.ts");
      writeFileSync(
        schema,
        `export * from ${JSON.stringify(resolve("db/schema.ts"))};
import { pgTable, text } from "drizzle-orm/pg-core";
export const driftProbe = pgTable("drift_probe", { id: text("id").primaryKey() });
`,
      );
      const report = await checkMigrationDrift({
        schema: relative(".", schema),
        migrations: "db/migrations",
      });
      expect(report.drifted).toBe(true);
      expect(report.newFiles).toHaveLength(1);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
