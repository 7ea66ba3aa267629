import type { Command } from "commander";
import { choiceOption } from "./ids.ts";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

export const RUN_STATUSES = ["queued", "running", "completed", "failed", "interrupted"] as const;

export function registerRunsCommand(program: Command): void {
  const runs = program.command("runs").description("runs recorded by the local runtime");
  runs
    .command("list")
    .option("--task <taskId>", "only runs of this task")
    .addOption(choiceOption("--status <status>", "only runs in this status", RUN_STATUSES))
    .option("--limit <n>", "at most this many", "50")
    .option("--json", "print JSON")
    .action(async (opts: { task?: string; status?: string; limit: string; json?: boolean }) => {
      const { RunStore, runView } = await import("../executor/run-store.ts");
      const rows = await withDb(
        (h) =>
          new RunStore(h.db).list({
            taskId: opts.task,
            status: opts.status,
            limit: Number(opts.limit) || 50,
          }),
        { localRuntime: true },
      );
      const views = rows.map(runView);
      emit(opts.json, views, () => table(views, ["id", "taskId", "status", "attempts", "createdAt"]));
    });
}
