import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, renameSync, writeFileSync } from "node:fs";
import type { PGlite } from "@electric-sql/pglite";
import { sql } from "drizzle-orm";
import type { TestProject } from "vitest/node";
import { migrateLocalRuntime } from "../local/migrate-local-runtime.ts";
import { openDb } from "../src/db/open-db.ts";
import { rowsOf } from "../src/db/types.ts";
import { repoDataDir, snapshotTree } from "./helpers/repo-data-guard.ts";
import {
  pgliteTemplatePath,
  postgresTemplateName,
  postgresTemplatePrefix,
  templateDir,
  withDatabase,
} from "./helpers/template.ts";

/**
 * Builds the migrated database template that every test file copies (PGlite or PostgreSQL), and
 * returns a teardown that fails the run if any test wrote under the repo's `.data`.
 */
export default async function setup(project: TestProject): Promise<() => void> {
  const before = snapshotTree();
  // Every test file compares against this when it ends (test/setup/isolated-data-dir.ts).
  project.provide("repoDataSnapshot", before);
  // The CLI tests run the compiled `switchboard`: compile it from the current source first.
  execFileSync(process.execPath, ["local/cli/build.mjs"], { stdio: "inherit" });
  await buildTemplate();
  return () => {
    if (snapshotTree() !== before) {
      throw new Error(`a test wrote under ${repoDataDir}: tests must use their own DATA_DIR`);
    }
  };
}

declare module "vitest" {
  export interface ProvidedContext {
    repoDataSnapshot: string;
  }
}

async function buildTemplate(): Promise<void> {
  const serverUrl = process.env.TEST_DATABASE_URL;
  if (serverUrl) {
    const admin = await openDb({ url: serverUrl });
    const name = postgresTemplateName();
    try {
      const existing = rowsOf(await admin.db.execute(sql`select 1 from pg_database where datname = ${name}`));
      if (existing.length === 0) {
        const building = `${name}_building_${process.pid}`;
        await admin.db.execute(sql.raw(`create database "${building}"`));
        const template = await openDb({ url: withDatabase(serverUrl, building) });
        try {
          await migrateLocalRuntime(template);
        } finally {
          await template.close();
        }
        await admin.db.execute(sql.raw(`alter database "${building}" rename to "${name}"`));
      }
      // Templates of older migration sets are dead weight: drop them.
      const stale = rowsOf<{ datname: string }>(
        await admin.db.execute(
          sql`select datname from pg_database where starts_with(datname, ${postgresTemplatePrefix()}) and datname <> ${name}`,
        ),
      );
      for (const { datname } of stale) {
        await admin.db.execute(sql.raw(`drop database if exists "${datname}" with (force)`));
      }
    } finally {
      await admin.close();
    }
    return;
  }
  const path = pgliteTemplatePath();
  if (existsSync(path)) return;
  mkdirSync(templateDir, { recursive: true });
  const handle = await openDb({ url: "memory://" });
  try {
    await migrateLocalRuntime(handle);
    const dump = await (handle.pglite as PGlite).dumpDataDir("gzip");
    const tmp = `${path}.${process.pid}.tmp`;
    writeFileSync(tmp, Buffer.from(await dump.arrayBuffer()));
    renameSync(tmp, path);
  } finally {
    await handle.close();
  }
}
