const UNITS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
  w: 604_800_000,
};

/** Parses Trigger.dev-style durations ("30s", "5m", "1h30m", "7d"); undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const parts = [...text.trim().matchAll(/(\d+)(ms|s|m|h|d|w)/g)];
  if (parts.length === 0 || parts.map((p) => p[0]).join("") !== text.trim()) return undefined;
  return parts.reduce((total, [, amount, unit]) => total + Number(amount) * UNITS[unit!]!, 0);
}

/** A `delay` option (duration or date) as the time the run becomes due. */
export function dueAt(delay: unknown, now = Date.now()): Date | undefined {
  if (delay === undefined || delay === null || delay === "") return undefined;
  if (delay instanceof Date) return delay;
  if (typeof delay === "string") {
    const ms = parseDurationMs(delay);
    if (ms !== undefined) return new Date(now + ms);
    const date = new Date(delay);
    if (!Number.isNaN(date.getTime())) return date;
  }
  return undefined;
}
