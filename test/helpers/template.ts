import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { localRuntimeMigrations } from "../../local/migrate-local-runtime.ts";
import { migrationsFolder } from "../../src/db/migrate.ts";

/** A hash of every migration file of both sets: a changed migration builds a new template. */
export function migrationsHash(): string {
  const hash = createHash("sha256");
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) =>
      a.name.localeCompare(b.name),
    )) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else hash.update(entry.name).update(readFileSync(path));
    }
  };
  walk(migrationsFolder);
  walk(localRuntimeMigrations.migrationsFolder);
  return hash.digest("hex").slice(0, 16);
}

export const templateDir = resolve("node_modules/.cache/switchboard-test");
export const pgliteTemplatePath = () => join(templateDir, `pglite-${migrationsHash()}.tar.gz`);
/** Templates are per checkout, so two clones testing against one server never drop each other's. */
export const checkoutHash = () => createHash("sha256").update(resolve(".")).digest("hex").slice(0, 8);
export const postgresTemplatePrefix = () => `sb_template_${checkoutHash()}_`;
export const postgresTemplateName = () => `${postgresTemplatePrefix()}${migrationsHash()}`;

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
