import type { Command } from "commander";
import { RunStore, runView } from "../executor/run-store.ts";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

export function registerRunsCommand(program: Command): void {
  const runs = program.command("runs").description("runs recorded by the local runtime");
  runs
    .command("list")
    .option("--task <taskId>", "only runs of this task")
    .option("--status <status>", "queued | running | completed | failed | interrupted")
    .option("--limit <n>", "at most this many", "50")
    .option("--json", "print JSON")
    .action(async (opts: { task?: string; status?: string; limit: string; json?: boolean }) => {
      const rows = await withDb((h) =>
        new RunStore(h.db).list({ taskId: opts.task, status: opts.status, limit: Number(opts.limit) || 50 }),
      );
      const views = rows.map(runView);
      emit(opts.json, views, () => table(views, ["id", "taskId", "status", "attempts", "createdAt"]));
    });
}
