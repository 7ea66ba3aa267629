import { createHash } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { migrationsFolder } from "../../src/db/migrate.ts";

/** A hash of every migration file: a changed migration builds a new template. */
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
  return hash.digest("hex").slice(0, 16);
}

export const templateDir = resolve("node_modules/.cache/switchboard-test");
export const pgliteTemplatePath = () => join(templateDir, `pglite-${migrationsHash()}.tar.gz`);
export const postgresTemplateName = () => `sb_template_${migrationsHash()}`;

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}
