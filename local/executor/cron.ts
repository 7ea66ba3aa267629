import { stringifyIO } from "@trigger.dev/core/v3";
import { Cron } from "croner";
import { eq, sql } from "drizzle-orm";
import { taskSchedules } from "../../db/local-runtime/schema.ts";
import type { Db } from "../../src/db/types.ts";
import { logger } from "../../src/observability/logger.ts";
import type { Executor } from "./executor.ts";
import {
  declarativeSchedule,
  isScheduledTask,
  type ScheduleSource,
  schedulePayload,
} from "./schedule-payload.ts";
import { windowOffsetMs } from "./schedule-window.ts";
import type { LoadedTask, TaskCatalog } from "./task-catalog.ts";

export interface ScheduleInfo {
  id: string;
  type: "DECLARATIVE" | "IMPERATIVE";
  taskId: string;
  cron: string;
  timezone: string;
  window: string | null;
  active: boolean;
  externalId: string | null;
  deduplicationKey: string | null;
  nextRunAt: string | null;
  /** When the next run actually starts: the nominal time plus the window's stable offset. */
  nextRunEffectiveAt: string | null;
}

interface Entry {
  task: LoadedTask;
  schedule: ScheduleSource;
  cron?: Cron;
  last?: Date;
}

export type ScheduleRow = typeof taskSchedules.$inferSelect;

export function imperativeSchedule(row: ScheduleRow): ScheduleSource {
  return {
    id: row.id,
    type: "IMPERATIVE",
    cron: row.cron,
    timezone: row.timezone,
    window: row.window,
    externalId: row.externalId,
  };
}

/**
 * Fires each `schedules.task` at its cron times (from the task manifests) and every active
 * imperative schedule (`schedules.create`, kept in `task_schedules`). A tick's run starts after
 * the schedule's `window` offset. Every tick is claimed with an idempotency key, so several
 * runtimes on one database fire it once. Ticks missed while the runtime was down are not
 * back-filled, as on Trigger.dev.
 */
export class CronRunner {
  private readonly jobs = new Map<string, Entry>();
  private started = false;

  constructor(
    private readonly db: Db,
    private readonly catalog: TaskCatalog,
    private readonly executor: Executor,
  ) {}

  async start(): Promise<void> {
    this.started = true;
    await this.reload();
  }

  stop(): void {
    this.started = false;
    for (const job of this.jobs.values()) job.cron?.stop();
    this.jobs.clear();
  }

  /** Re-reads the schedules (after `schedules.create`/`activate`/`deactivate`/`del`). */
  async reload(): Promise<void> {
    if (!this.started) return;
    const wanted = new Map<string, Entry>();
    for (const task of this.catalog.list().filter(isScheduledTask)) {
      wanted.set(`sched_local_${task.id}`, { task, schedule: declarativeSchedule(task) });
    }
    for (const row of await this.db.select().from(taskSchedules).where(eq(taskSchedules.active, true))) {
      const task = this.catalog.get(row.taskId);
      if (task) wanted.set(row.id, { task, schedule: imperativeSchedule(row) });
    }
    for (const [id, job] of this.jobs) {
      const next = wanted.get(id);
      if (!next || JSON.stringify(next.schedule) !== JSON.stringify(job.schedule)) {
        job.cron?.stop();
        this.jobs.delete(id);
      }
    }
    for (const [id, entry] of wanted) {
      if (this.jobs.has(id)) continue;
      entry.cron = new Cron(entry.schedule.cron, { timezone: entry.schedule.timezone, unref: true }, () => {
        const scheduledFor = entry.cron?.currentRun() ?? new Date();
        this.fire(entry, scheduledFor).catch((err) =>
          logger.error("cron tick failed", { taskId: entry.task.id, scheduleId: id, err }),
        );
      });
      this.jobs.set(id, entry);
    }
  }

  /** Declarative schedules of the task manifests. */
  list(): ScheduleInfo[] {
    return this.catalog
      .list()
      .filter(isScheduledTask)
      .map((task) => describeSchedule(task.id, declarativeSchedule(task), true, null));
  }

  /**
   * Creates the run for one tick, due after the window's stable offset. The run's idempotency
   * key is the tick, so several runtimes on one database start it once; `schedule_ticks` records
   * which run served which tick.
   */
  async fire(
    entry: { task: LoadedTask; schedule?: ScheduleSource; last?: Date },
    scheduledFor: Date,
  ): Promise<{ id: string; isCached: boolean }> {
    const schedule = entry.schedule ?? declarativeSchedule(entry.task);
    const tick = new Date(Math.floor(scheduledFor.getTime() / 1000) * 1000);
    const packet = await stringifyIO(schedulePayload(schedule, tick, entry.last));
    entry.last = tick;
    const next = new Cron(schedule.cron, { timezone: schedule.timezone }).nextRun(tick);
    const offset = windowOffsetMs(schedule.window, schedule.id, tick, next);
    const handle = await this.executor.store.create({
      taskId: entry.task.id,
      payload: packet.data,
      payloadType: packet.dataType,
      idempotencyKey: `schedule:${schedule.id}:${tick.toISOString()}`,
      tags: ["schedule"],
      scheduleId: schedule.id,
      ...(offset > 0 ? { runAt: new Date(tick.getTime() + offset) } : {}),
    });
    await this.db.execute(sql`insert into schedule_ticks (task_id, scheduled_for, run_id)
      values (${schedule.type === "DECLARATIVE" ? entry.task.id : schedule.id}, ${tick.toISOString()}, ${handle.id})
      on conflict do nothing`);
    this.executor.wake();
    return handle;
  }
}

/** A schedule as listed (`GET /schedules`) and as the SDK's schedule object is built from. */
export function describeSchedule(
  taskId: string,
  schedule: ScheduleSource,
  active: boolean,
  deduplicationKey: string | null,
): ScheduleInfo {
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone });
  const next = active ? cron.nextRun() : null;
  const after = next ? cron.nextRun(next) : null;
  const offset = next ? windowOffsetMs(schedule.window, schedule.id, next, after) : 0;
  return {
    id: schedule.id,
    type: schedule.type,
    taskId,
    cron: schedule.cron,
    timezone: schedule.timezone,
    window: schedule.window,
    active,
    externalId: schedule.externalId ?? null,
    deduplicationKey,
    nextRunAt: next?.toISOString() ?? null,
    nextRunEffectiveAt: next ? new Date(next.getTime() + offset).toISOString() : null,
  };
}
