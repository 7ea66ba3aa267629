import { execFile } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

export interface MigrationSet {
  /** The drizzle schema module, relative to the repository root. */
  schema: string;
  /** The committed migrations folder, relative to the repository root. */
  migrations: string;
}

export interface DriftReport {
  drifted: boolean;
  /** Migration files `drizzle-kit generate` would add to the committed set. */
  newFiles: string[];
  output: string;
}

/**
 * Runs `drizzle-kit generate` for `set` against a scratch copy of its committed migrations and
 * reports what it would add. No drift means the committed snapshots match the schema module.
 * drizzle-kit exits 0 even when it fails, so anything but its "no changes" line is drift.
 */
export async function checkMigrationDrift(set: MigrationSet): Promise<DriftReport> {
  const root = resolve(".");
  const cache = join(root, "node_modules/.cache/switchboard-drift");
  mkdirSync(cache, { recursive: true });
  const scratch = mkdtempSync(join(cache, "run-"));
  try {
    const out = join(scratch, "migrations");
    cpSync(join(root, set.migrations), out, { recursive: true });
    const before = new Set(readdirSync(out, { recursive: true }).map(String));
    const config = join(scratch, "drizzle.config.ts");
    // drizzle-kit resolves these paths against the working directory, so they stay relative.
    writeFileSync(
      config,
      `export default ${JSON.stringify({
        dialect: "postgresql",
        schema: `./${set.schema}`,
        out: `./${relative(root, out)}`,
        entities: { roles: { provider: "" } },
      })};\n`,
    );
    const { stdout, stderr } = await run(
      process.execPath,
      [join(root, "node_modules/drizzle-kit/bin.cjs"), "generate", "--config", config],
      { cwd: root, env: { ...process.env, NO_COLOR: "1" } },
    );
    const output = `${stdout}${stderr}`;
    const newFiles = readdirSync(out, { recursive: true })
      .map(String)
      .filter((file) => !before.has(file) && !file.endsWith("_snapshot.json") && file !== "meta");
    return { drifted: !output.includes("No schema changes") || newFiles.length > 0, newFiles, output };
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
}
