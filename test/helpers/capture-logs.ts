import { setLogSink } from "../../src/observability/logger.ts";

/** Captures every JSON log line (level debug) until `stop()`; tests scan them for secrets. */
export function captureLogs(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  process.env.LOG_LEVEL = "debug";
  setLogSink({ write: (chunk) => lines.push(...chunk.split("\n").filter(Boolean)) });
  return {
    lines,
    stop: () => {
      setLogSink(undefined);
      process.env.LOG_LEVEL = "warn";
    },
  };
}
