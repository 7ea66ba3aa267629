import { Cron } from "croner";
import type { LoadedTask } from "./task-catalog.ts";

export interface SchedulePayload {
  type: "DECLARATIVE";
  scheduleId: string;
  timestamp: Date;
  lastTimestamp?: Date;
  timezone: string;
  upcoming: Date[];
}

export function isScheduledTask(task: LoadedTask): boolean {
  return task.manifest.triggerSource === "schedule" && Boolean(task.manifest.schedule?.cron);
}

/**
 * The payload a scheduled run receives. A hand-triggered run of a scheduled task (SDK, CLI,
 * HTTP) with no payload gets `timestamp = now`, as the Trigger.dev dashboard's test page does.
 */
export function schedulePayload(task: LoadedTask, timestamp: Date, lastTimestamp?: Date): SchedulePayload {
  const schedule = task.manifest.schedule!;
  const timezone = schedule.timezone ?? "UTC";
  const cron = new Cron(schedule.cron, { timezone });
  const upcoming: Date[] = [];
  let cursor: Date | null = timestamp;
  for (let i = 0; i < 5 && cursor; i++) {
    cursor = cron.nextRun(cursor);
    if (cursor) upcoming.push(cursor);
  }
  return {
    type: "DECLARATIVE",
    scheduleId: `sched_local_${task.id}`,
    timestamp,
    ...(lastTimestamp ? { lastTimestamp } : {}),
    timezone,
    upcoming,
  };
}
