import { Writable } from "node:stream";
import { setLogSink } from "../../src/observability/logger.ts";

/** Captures every JSON log line (level debug) until `stop()`; tests scan them for secrets. */
export function captureLogs(): { lines: string[]; stop(): void } {
  const lines: string[] = [];
  process.env.LOG_LEVEL = "debug";
  setLogSink(
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(...String(chunk).split("\n").filter(Boolean));
        done();
      },
    }),
  );
  return {
    lines,
    stop: () => {
      setLogSink(undefined);
      process.env.LOG_LEVEL = "warn";
    },
  };
}
