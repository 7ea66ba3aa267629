import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { resetConfig } from "../src/config.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb, poolSettings } from "../src/db/open-db.ts";
import { rowsOf } from "../src/db/types.ts";
import { withDatabase } from "./helpers/template.ts";

const saved = { ...process.env };
function setEnv(values: Record<string, string | undefined>): void {
  for (const [name, value] of Object.entries(values)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  resetConfig();
}
afterEach(() => {
  for (const name of [
    "DATABASE_URL",
    "DATABASE_URL_UNPOOLED",
    "DATABASE_POOL_MAX",
    "DATABASE_POOL_IDLE_MS",
  ]) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
  resetConfig();
});

describe("pooled and direct database URLs (Neon's DATABASE_URL / DATABASE_URL_UNPOOLED)", () => {
  it("sizes the pool for one run per process unless DATABASE_POOL_MAX says otherwise", () => {
    setEnv({ DATABASE_POOL_MAX: undefined, DATABASE_POOL_IDLE_MS: undefined });
    expect(poolSettings(undefined)).toEqual({ max: 1, idleTimeoutMillis: 10_000 });
    expect(poolSettings(10)).toEqual({ max: 10, idleTimeoutMillis: 10_000 });
    setEnv({ DATABASE_POOL_MAX: "4", DATABASE_POOL_IDLE_MS: "2500" });
    expect(poolSettings(undefined)).toEqual({ max: 4, idleTimeoutMillis: 2500 });
  });

  it("refuses to migrate through a -pooler endpoint, before connecting to it", async () => {
    setEnv({
      DATABASE_URL: "postgres://owner:pw@ep-quiet-sea-123456-pooler.eu-central-1.aws.neon.example/app",
      DATABASE_URL_UNPOOLED: undefined,
    });
    const handle = await openDb();
    try {
      await expect(migrate(handle)).rejects.toThrow(/DATABASE_URL_UNPOOLED/);
    } finally {
      await handle.close();
    }
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    "migrates the database DATABASE_URL_UNPOOLED names, not the pooled one",
    async () => {
      const server = process.env.TEST_DATABASE_URL!;
      const suffix = randomBytes(4).toString("hex");
      const [pooled, direct] = [`sb_pooled_${suffix}`, `sb_direct_${suffix}`];
      const admin = await openDb({ url: server });
      try {
        await admin.db.execute(sql.raw(`create database "${pooled}"`));
        await admin.db.execute(sql.raw(`create database "${direct}"`));
        setEnv({
          DATABASE_URL: withDatabase(server, pooled),
          DATABASE_URL_UNPOOLED: withDatabase(server, direct),
        });
        const handle = await openDb();
        try {
          await migrate(handle);
        } finally {
          await handle.close();
        }
        const migrated = async (database: string) => {
          const probe = await openDb({ url: withDatabase(server, database) });
          try {
            return rowsOf<{ t: string | null }>(
              await probe.db.execute(sql`select to_regclass('public.tenants')::text as t`),
            )[0]?.t;
          } finally {
            await probe.close();
          }
        };
        expect(await migrated(direct)).toBe("tenants");
        expect(await migrated(pooled)).toBeNull();
      } finally {
        await admin.db.execute(sql.raw(`drop database if exists "${pooled}" with (force)`));
        await admin.db.execute(sql.raw(`drop database if exists "${direct}" with (force)`));
        await admin.close();
      }
    },
  );
});
