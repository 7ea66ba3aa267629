import { AsyncLocalStorage } from "node:async_hooks";
import type { DbHandle } from "../../src/db/open-db.ts";
import type { Runtime } from "../runtime.ts";

/**
 * Where a command writes and what it may reuse. In its own process the CLI writes to stdout and
 * sets `process.exitCode`; forwarded to a running `npm start`, the runtime captures both and the
 * command reuses the runtime's open database and executor.
 */
export interface CliIo {
  stdout(text: string): void;
  stderr(text: string): void;
  exitCode: number;
  handle?: DbHandle;
  runtime?: Runtime;
}

/** The CLI's own process streams and exit code. */
export const processIo: CliIo = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  get exitCode() {
    return Number(process.exitCode ?? 0);
  },
  set exitCode(code: number) {
    process.exitCode = code;
  },
};

const current = new AsyncLocalStorage<CliIo>();

export function cliIo(): CliIo {
  return current.getStore() ?? processIo;
}

export function withCliIo<T>(io: CliIo, fn: () => Promise<T>): Promise<T> {
  return current.run(io, fn);
}

/** Marks the command as failed (non-zero exit) without throwing. */
export function fail(code = 1): void {
  cliIo().exitCode = code;
}

/** CLI output: people get text; `--json` gets exactly one JSON document on stdout. */
export function emit(json: boolean | undefined, data: unknown, human: () => string): void {
  cliIo().stdout(json ? `${JSON.stringify(data, null, 2)}\n` : `${human()}\n`);
}

/** A plain text table for human output. */
export function table(rows: object[], columns: string[]): string {
  if (rows.length === 0) return "(none)";
  const text = (v: unknown) =>
    v === null || v === undefined ? "-" : v instanceof Date ? v.toISOString() : String(v);
  const widths = columns.map((c) =>
    Math.max(c.length, ...rows.map((r) => text((r as Record<string, unknown>)[c]).length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [
    line(columns),
    ...rows.map((r) => line(columns.map((c) => text((r as Record<string, unknown>)[c])))),
  ].join("\n");
}
