import { ValidationError } from "../src/errors.ts";
import { parseDurationMs } from "./duration.ts";

/** `--since` / `?since=`: an ISO date or time, or a duration back from now ("30d", "12h"). */
export function parseSince(text: string | null | undefined, now = Date.now()): Date | undefined {
  if (!text) return undefined;
  const ms = parseDurationMs(text);
  if (ms !== undefined) return new Date(now - ms);
  const date = new Date(text);
  if (Number.isNaN(date.getTime())) {
    throw new ValidationError(
      `--since must be a date (2026-11-01) or a duration back from now (30d): "${text}"`,
    );
  }
  return date;
}
