import { stringifyIO } from "@trigger.dev/core/v3";
import { Cron } from "croner";
import { sql } from "drizzle-orm";
import type { Db } from "../../src/db/types.ts";
import { logger } from "../../src/observability/logger.ts";
import type { Executor } from "./executor.ts";
import { isScheduledTask, schedulePayload } from "./schedule-payload.ts";
import type { LoadedTask, TaskCatalog } from "./task-catalog.ts";

export interface ScheduleInfo {
  taskId: string;
  cron: string;
  timezone: string;
  window: string | null;
  nextRunAt: string | null;
}

/**
 * Fires each `schedules.task` at its cron times (from the task manifests). Every tick is claimed
 * with an idempotency key, so several runtimes on one database fire it once. Ticks missed while
 * the runtime was down are not back-filled, as on Trigger.dev.
 */
export class CronRunner {
  private readonly jobs: { task: LoadedTask; cron: Cron; last?: Date }[] = [];

  constructor(
    private readonly db: Db,
    private readonly catalog: TaskCatalog,
    private readonly executor: Executor,
  ) {}

  start(): void {
    for (const task of this.catalog.list().filter(isScheduledTask)) {
      const schedule = task.manifest.schedule!;
      const entry: { task: LoadedTask; cron: Cron; last?: Date } = {
        task,
        cron: new Cron(schedule.cron, { timezone: schedule.timezone ?? "UTC", unref: true }, () => {
          const scheduledFor = entry.cron.currentRun() ?? new Date();
          this.fire(entry, scheduledFor).catch((err) =>
            logger.error("cron tick failed", { taskId: task.id, err }),
          );
        }),
      };
      this.jobs.push(entry);
    }
  }

  stop(): void {
    for (const job of this.jobs) job.cron.stop();
    this.jobs.length = 0;
  }

  list(): ScheduleInfo[] {
    return this.catalog
      .list()
      .filter(isScheduledTask)
      .map((task) => {
        const schedule = task.manifest.schedule!;
        const next = new Cron(schedule.cron, { timezone: schedule.timezone ?? "UTC" }).nextRun();
        return {
          taskId: task.id,
          cron: schedule.cron,
          timezone: schedule.timezone ?? "UTC",
          window: schedule.window ?? null,
          nextRunAt: next?.toISOString() ?? null,
        };
      });
  }

  /**
   * Creates the run for one tick. The run's idempotency key is the tick, so several runtimes on
   * one database start it once; `schedule_ticks` records which run served which tick.
   */
  async fire(
    entry: { task: LoadedTask; last?: Date },
    scheduledFor: Date,
  ): Promise<{ id: string; isCached: boolean }> {
    const tick = new Date(Math.floor(scheduledFor.getTime() / 1000) * 1000);
    const packet = await stringifyIO(schedulePayload(entry.task, tick, entry.last));
    entry.last = tick;
    const handle = await this.executor.store.create({
      taskId: entry.task.id,
      payload: packet.data,
      payloadType: packet.dataType,
      idempotencyKey: `schedule:${entry.task.id}:${tick.toISOString()}`,
      tags: ["schedule"],
    });
    await this.db.execute(sql`insert into schedule_ticks (task_id, scheduled_for, run_id)
      values (${entry.task.id}, ${tick.toISOString()}, ${handle.id}) on conflict do nothing`);
    this.executor.wake();
    return handle;
  }
}
