import { afterAll, beforeAll, beforeEach } from "vitest";
import { type Runtime, type RuntimeOptions, startRuntime } from "../../local/runtime.ts";
import { createTestDb, type TestDb } from "./test-db.ts";

export interface FixtureRuntime {
  db: TestDb;
  runtime: Runtime;
}

/**
 * A test file's local runtime: a fresh test database, the real tasks plus the fixture tasks, no
 * sandbox and no cron unless asked, on a free port; emptied before each test (`truncate: false`
 * keeps rows between tests) and closed after the file.
 */
export function useFixtureRuntime(
  options: Omit<RuntimeOptions, "db"> & { secretKey: string },
  { truncate = true }: { truncate?: boolean } = {},
): FixtureRuntime {
  const fixture = {} as FixtureRuntime;
  beforeAll(async () => {
    fixture.db = await createTestDb();
    fixture.runtime = await startRuntime({
      db: fixture.db,
      port: 0,
      taskDirs: ["trigger", "test/fixtures/trigger"],
      sandbox: false,
      cron: false,
      ...options,
    });
  });
  afterAll(async () => {
    await fixture.runtime?.close(1_000);
    await fixture.db?.close();
  });
  if (truncate) beforeEach(() => fixture.db.truncate());
  return fixture;
}
