import type { Db } from "../../src/db/types.ts";
import type { CronRunner } from "../executor/cron.ts";
import type { Executor } from "../executor/executor.ts";
import type { TaskCatalog } from "../executor/task-catalog.ts";
import type { DashboardMode } from "./dashboard-mode.ts";
import type { SessionGuard } from "./session-guard.ts";

/** What the dashboard's pages and actions read and drive: the runtime's own parts. */
export interface DashboardDeps {
  db: Db;
  catalog: TaskCatalog;
  executor: Executor;
  cron: CronRunner;
  mode: DashboardMode;
  sandbox: boolean;
  guard: SessionGuard;
}
