import { type DestinationStream, pino } from "pino";
import { describeError } from "../errors.ts";
import { redact, redactString } from "./redact.ts";

export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

let root: pino.Logger | undefined;
let sink: DestinationStream | undefined;

function build(): pino.Logger {
  const level = process.env.LOG_LEVEL?.trim() || (process.env.NODE_ENV === "test" ? "warn" : "info");
  return pino(
    {
      level,
      base: { service: "switchboard" },
      messageKey: "message",
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: {
        level: (label) => ({ level: label }),
        log: (fields) => redact(fields) as Record<string, unknown>,
      },
    },
    // Logs go to stderr so that CLI output on stdout stays machine-readable.
    sink ?? pino.destination({ fd: 2, sync: true }),
  );
}

function rootLogger(): pino.Logger {
  root ??= build();
  return root;
}

/** Redirects every log line (tests capture them to prove no secret is ever logged). */
export function setLogSink(destination: DestinationStream | undefined): void {
  sink = destination;
  root = undefined;
}

function normalise(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const { err, ...rest } = fields;
  return err === undefined ? rest : { ...rest, error: describeError(err) };
}

function makeLogger(bindings: LogFields): Logger {
  const write = (level: "debug" | "info" | "warn" | "error") => (message: string, fields?: LogFields) =>
    rootLogger()[level]({ ...bindings, ...normalise(fields) }, redactString(message));
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (more) => makeLogger({ ...bindings, ...more }),
  };
}

/** The one structured JSON logger. */
export const logger: Logger = makeLogger({});
