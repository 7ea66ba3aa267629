import { describeError } from "../errors.ts";
import { redact, redactString } from "./redact.ts";
import { runtimeEnv, writesToStderr } from "./runtime.ts";

export type LogFields = Record<string, unknown>;
export type LogLevel = "debug" | "info" | "warn" | "error";

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(bindings: LogFields): Logger;
}

/** Where finished (already redacted) JSON lines go; a Node `Writable` fits. */
export interface LogSink {
  write(line: string): unknown;
}

const SEVERITY: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };
let sink: LogSink | undefined;
let configuredLevel: string | undefined;
let threshold: number | undefined;

function currentThreshold(): number {
  if (threshold === undefined) {
    const env = runtimeEnv();
    const name = (configuredLevel ?? env.LOG_LEVEL?.trim()) || (env.NODE_ENV === "test" ? "warn" : "info");
    threshold =
      name.toLowerCase() === "silent" ? Number.POSITIVE_INFINITY : (SEVERITY[name.toLowerCase()] ?? 30);
  }
  return threshold;
}

/** Redirects every log line (tests capture them to prove no secret is ever logged). */
export function setLogSink(destination: LogSink | undefined): void {
  sink = destination;
  threshold = undefined;
}

/**
 * Takes LOG_LEVEL from an explicit environment (edge runtimes pass `env` instead of having
 * `process.env`). Without one, the level comes from `process.env` where it exists.
 */
export function configureLogging(env: Record<string, string | undefined> | undefined): void {
  configuredLevel = env?.LOG_LEVEL?.trim() || undefined;
  threshold = undefined;
}

function emit(level: LogLevel, line: string): void {
  if (sink) {
    sink.write(`${line}\n`);
  } else if (writesToStderr()) {
    // Logs go to stderr so that CLI output on stdout stays machine-readable.
    (globalThis as { process?: { stderr: { write(s: string): unknown } } }).process!.stderr.write(
      `${line}\n`,
    );
  } else {
    // Edge runtimes: one JSON line per console call, at the matching console level.
    const write = level === "error" ? console.error : level === "warn" ? console.warn : console.log;
    write(line);
  }
}

function serialise(value: unknown): string {
  return JSON.stringify(value, (_key, inner) => (typeof inner === "bigint" ? inner.toString() : inner));
}

function normalise(fields: LogFields | undefined): LogFields {
  if (!fields) return {};
  const { err, ...rest } = fields;
  return err === undefined ? rest : { ...rest, error: describeError(err) };
}

function makeLogger(bindings: LogFields): Logger {
  const write = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (SEVERITY[level]! < currentThreshold()) return;
    // Redaction runs on the whole record before anything is written, whatever the runtime.
    const record = redact({ ...bindings, ...normalise(fields) }) as LogFields;
    const line = serialise({
      level,
      time: new Date().toISOString(),
      service: "switchboard",
      ...record,
      message: redactString(message),
    });
    emit(level, line);
  };
  return {
    debug: write("debug"),
    info: write("info"),
    warn: write("warn"),
    error: write("error"),
    child: (more) => makeLogger({ ...bindings, ...more }),
  };
}

/** The one structured JSON logger, for tasks, handlers and the local runtime alike. */
export const logger: Logger = makeLogger({});
