/**
 * The messages between a task worker's PGlite stand-in and the runtime's one embedded PGlite
 * (one process may open a PGlite data directory, and tests use an in-memory one).
 */
export type PgliteRequest =
  | {
      id: number;
      op: "query";
      tx?: number;
      sql: string;
      params?: unknown[];
      options?: PortQueryOptions | undefined;
    }
  | { id: number; op: "exec"; tx?: number; sql: string; options?: PortQueryOptions | undefined }
  | { id: number; op: "begin" }
  | { id: number; op: "commit" | "rollback"; tx: number };

export type PgliteReply =
  | { id: number; ok: true; value: unknown }
  | { id: number; ok: false; error: PortError };

/**
 * Query options as they can cross threads: functions cannot, so the OIDs that drizzle gives a
 * pass-through parser (dates and intervals kept as text) travel as a list and are rebuilt.
 */
export interface PortQueryOptions {
  rowMode?: "array" | "object";
  passThroughTypes?: number[];
}

/** An error as it crosses threads: name, message, stack and the database's fields (code, detail, …). */
export interface PortError {
  name: string;
  message: string;
  stack?: string;
  fields: Record<string, unknown>;
}

export function toPortError(err: unknown): PortError {
  if (!(err instanceof Error)) return { name: "Error", message: String(err), fields: {} };
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(err)) {
    if (value === null || ["string", "number", "boolean"].includes(typeof value)) fields[key] = value;
  }
  return { name: err.name, message: err.message, ...(err.stack ? { stack: err.stack } : {}), fields };
}

export function fromPortError(error: PortError): Error {
  const err = Object.assign(new Error(error.message), error.fields);
  err.name = error.name;
  if (error.stack) err.stack = error.stack;
  return err;
}
