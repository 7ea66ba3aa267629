import { createHash } from "node:crypto";
import { parseScheduleWindow } from "@trigger.dev/core/v3";

/**
 * How long after its nominal cron time a tick's run starts, for a schedule `window`: a stable
 * offset derived from the schedule id (the same every tick), within the window and never reaching
 * the next nominal time, as the SDK documents. `undefined`/"0m" → on time.
 */
export function windowOffsetMs(
  window: string | null | undefined,
  scheduleId: string,
  tick: Date,
  nextTick: Date | null,
): number {
  if (!window) return 0;
  const parsed = parseScheduleWindow(window);
  const intervalMs = nextTick ? nextTick.getTime() - tick.getTime() : Number.POSITIVE_INFINITY;
  const windowMs =
    parsed.type === "duration"
      ? Math.min(parsed.durationSeconds * 1000, intervalMs)
      : (intervalMs * parsed.percentage) / 100;
  if (!(windowMs > 0) || !Number.isFinite(windowMs)) return 0;
  const fraction = createHash("sha256").update(scheduleId).digest().readUInt32BE(0) / 2 ** 32;
  // Strictly inside the window, and strictly before the next nominal time.
  return Math.min(Math.floor(fraction * windowMs), Math.max(0, intervalMs - 1000));
}
