import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { getConfig, resetConfig } from "../../src/config.ts";
import { checkStoredKeys } from "../../src/crypto/check-stored-keys.ts";
import { getKeyRing } from "../../src/crypto/load-key-ring.ts";
import { migrationsFolder } from "../../src/db/migrate.ts";
import { type DbHandle, openDb } from "../../src/db/open-db.ts";
import { rowsOf } from "../../src/db/types.ts";
import { ConfigError } from "../../src/errors.ts";
import { formatError } from "../../src/format-error.ts";
import { environmentProblems } from "../preflight.ts";
import { healthAlerting } from "./doctor-health-alerting.ts";
import { providerProbes } from "./doctor-provider-probes.ts";
import { cliIo } from "./output.ts";

export interface Check {
  name: string;
  ok: boolean;
  detail: string;
}

async function check(name: string, fn: () => Promise<string>): Promise<Check> {
  try {
    return { name, ok: true, detail: await fn() };
  } catch (err) {
    return { name, ok: false, detail: formatError(err) };
  }
}

async function migrationsCurrent(handle: DbHandle): Promise<string> {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: { when: number; tag: string }[];
  };
  const applied = rowsOf<{ created_at: string | number }>(
    await handle.db.execute(sql`select created_at from drizzle.__drizzle_migrations`),
  ).map((r) => Number(r.created_at));
  const pending = journal.entries.filter((e) => !applied.includes(e.when)).map((e) => e.tag);
  if (pending.length)
    throw new Error(`${pending.length} pending (${pending.join(", ")}); run \`switchboard db migrate\``);
  return `${journal.entries.length} applied`;
}

async function keysOpenStoredData(handle: DbHandle): Promise<string> {
  const ring = await getKeyRing();
  await checkStoredKeys(handle.db, ring);
  const [row] = rowsOf<{ versions: number }>(
    await handle.db.execute(sql`select count(*)::int as versions from key_canaries`),
  );
  return `the ring (${ring.versions.join(", ")}) opens every stored key fingerprint (${row?.versions ?? 0}) and credential version`;
}

async function triggerReachable(): Promise<string> {
  const url = process.env.TRIGGER_API_URL?.trim();
  if (!url && !process.env.TRIGGER_SECRET_KEY?.trim()) return "not configured (the local runtime runs tasks)";
  const target = url || "https://api.trigger.dev";
  const response = await fetch(target, { signal: AbortSignal.timeout(5_000) });
  return `${target} answers (HTTP ${response.status})`;
}

/** The environment checks of `switchboard doctor`, in order; none throws. */
export async function runDoctorChecks(): Promise<Check[]> {
  resetConfig();
  const checks: Check[] = [
    await check("configuration", async () => {
      const problems = await environmentProblems();
      if (problems) throw new ConfigError(problems);
      const config = getConfig();
      await getKeyRing();
      return `valid (${config.SWITCHBOARD_LOCAL === "1" ? "local mode" : "production mode"})`;
    }),
  ];
  const shared = cliIo().handle;
  let handle: DbHandle | undefined = shared;
  checks.push(
    await check("database reachable", async () => {
      handle ??= await openDb();
      await handle.db.execute(sql`select 1`);
      return handle.kind;
    }),
  );
  try {
    if (handle) {
      const db = handle;
      checks.push(await check("migrations current", () => migrationsCurrent(db)));
      checks.push(await check("keys decrypt stored data", () => keysOpenStoredData(db)));
    }
  } finally {
    if (handle && !shared) await handle.close();
  }
  checks.push(await check("Trigger.dev reachable", triggerReachable));
  checks.push(await check("health alerting", () => healthAlerting()));
  for (const probe of providerProbes()) checks.push(await check(probe.name, probe.run));
  return checks;
}
