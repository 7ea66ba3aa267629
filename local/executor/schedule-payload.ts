import { Cron } from "croner";
import type { LoadedTask } from "./task-catalog.ts";

/** What a scheduled run needs to know of its schedule (declarative or imperative). */
export interface ScheduleSource {
  id: string;
  type: "DECLARATIVE" | "IMPERATIVE";
  cron: string;
  timezone: string;
  window: string | null;
  externalId?: string | null;
}

export interface SchedulePayload {
  type: "DECLARATIVE" | "IMPERATIVE";
  scheduleId: string;
  timestamp: Date;
  lastTimestamp?: Date;
  externalId?: string;
  timezone: string;
  upcoming: Date[];
}

export function isScheduledTask(task: LoadedTask): boolean {
  return task.manifest.triggerSource === "schedule" && Boolean(task.manifest.schedule?.cron);
}

/** The schedule a `schedules.task` declares in its manifest. */
export function declarativeSchedule(task: LoadedTask): ScheduleSource {
  const schedule = task.manifest.schedule!;
  return {
    id: `sched_local_${task.id}`,
    type: "DECLARATIVE",
    cron: schedule.cron,
    timezone: schedule.timezone ?? "UTC",
    window: schedule.window ?? null,
  };
}

/**
 * The payload a scheduled run receives. A hand-triggered run of a scheduled task (SDK, CLI,
 * HTTP) with no payload gets `timestamp = now`, as the Trigger.dev dashboard's test page does.
 */
export function schedulePayload(
  schedule: ScheduleSource,
  timestamp: Date,
  lastTimestamp?: Date,
): SchedulePayload {
  const cron = new Cron(schedule.cron, { timezone: schedule.timezone });
  const upcoming: Date[] = [];
  let cursor: Date | null = timestamp;
  for (let i = 0; i < 5 && cursor; i++) {
    cursor = cron.nextRun(cursor);
    if (cursor) upcoming.push(cursor);
  }
  return {
    type: schedule.type,
    scheduleId: schedule.id,
    timestamp,
    ...(lastTimestamp ? { lastTimestamp } : {}),
    ...(schedule.externalId ? { externalId: schedule.externalId } : {}),
    timezone: schedule.timezone,
    upcoming,
  };
}
