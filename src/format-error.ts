import { AppError, ConfigError } from "./errors.ts";

export interface FormatErrorOptions {
  /** Append the stack and the cause chain (CLI `--debug`, `LOG_LEVEL=debug`). */
  debug?: boolean;
}

/** PostgreSQL error codes a person can act on, as what went wrong and what to do. */
const SQLSTATE_SENTENCES: Record<string, string> = {
  "22P02":
    "a value is malformed (an id must be a UUID); check the ids you passed, e.g. with a `list` command",
  "23503":
    "it refers to something that does not exist (an unknown tenant or connection); check the ids with a `list` command",
  "23505": "it already exists; list the existing rows instead of creating another",
  "42P01": "the database is not migrated; run `switchboard db migrate`",
  "53300": "the database has too many connections; retry in a moment or lower the pool size",
  "57P01": "the database server shut down; start it and retry",
};

const NODE_SENTENCES: Record<string, (err: NodeError) => string> = {
  EADDRINUSE: (err) =>
    `port ${err.port ?? "?"} is in use; set PORT to a free port (or PORT=0 for any) or stop the other process`,
  ECONNREFUSED: (err) =>
    `nothing answers at ${err.address ?? "the address"}${err.port ? `:${err.port}` : ""}; start that service or fix its URL`,
  EACCES: (err) =>
    `permission denied for ${err.path ?? err.address ?? "a file or port"}; check its owner or mode`,
  ENOTFOUND: (err) => `the host ${err.hostname ?? ""} is unknown; check the URL`,
};

interface NodeError extends Error {
  code?: string;
  port?: number;
  address?: string;
  path?: string;
  hostname?: string;
}

function causes(err: unknown): unknown[] {
  const chain: unknown[] = [];
  for (let at: unknown = err; at && chain.length < 8; at = (at as { cause?: unknown }).cause) chain.push(at);
  return chain;
}

/** A failed query's message carries the SQL and its parameters (possibly ciphertext): never shown. */
function isQueryError(err: unknown): boolean {
  return err instanceof Error && (/^Failed query:/.test(err.message) || "query" in err);
}

/**
 * The sentence for an error this formatter recognises (our own errors, database and network
 * failures), or undefined for anything else, whose message may carry a payload.
 */
export function knownErrorSentence(err: unknown): string | undefined {
  if (err instanceof ConfigError) {
    // A configuration problem outside the environment names its own fix.
    const fix = typeof err.context.fix === "string" ? err.context.fix : undefined;
    return `${err.message}\n${fix ?? "Fix these in .env or the environment (see .env.example)."}`;
  }
  if (err instanceof AppError) return err.message;
  for (const link of causes(err)) {
    const code = (link as NodeError | undefined)?.code;
    if (typeof code !== "string") continue;
    if (SQLSTATE_SENTENCES[code]) return `The database refused the request: ${SQLSTATE_SENTENCES[code]}.`;
    if (NODE_SENTENCES[code]) return NODE_SENTENCES[code](link as NodeError);
  }
  if (isQueryError(err))
    return "A database query failed; run again with --debug (or LOG_LEVEL=debug) for details.";
  return undefined;
}

interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number; column: number } | null;
}

/**
 * esbuild's (and tsx's) "Build failed with N errors:" / "Transform failed with N errors:" as
 * `file:line:col: message` lines (the first line of the message names no file), or undefined for
 * any other error. Columns are 1-based, as editors count them.
 */
export function compileErrorLines(err: unknown): string[] | undefined {
  if (!(err instanceof Error) || !/^(Build|Transform) failed with \d+ errors?:/.test(err.message))
    return undefined;
  const errors = (err as { errors?: EsbuildMessage[] }).errors;
  if (Array.isArray(errors) && errors.length > 0) {
    return errors.map(({ text, location }) =>
      location ? `${location.file}:${location.line}:${location.column + 1}: ${text}` : text,
    );
  }
  // Crossed a thread or process (tsx's loader): only the message is left, one error a line, with
  // absolute paths; shown relative to the working directory.
  const cwd = `${process.cwd()}/`;
  return err.message
    .split("\n")
    .slice(1)
    .filter((line) => line.trim() !== "")
    .map((line) =>
      (line.startsWith(cwd) ? line.slice(cwd.length) : line).replace(
        /:(\d+):(\d+): ERROR: /,
        (_, row, col) => `:${row}:${Number(col) + 1}: `,
      ),
    );
}

function sentence(err: unknown): string {
  const known = knownErrorSentence(err);
  if (known !== undefined) return known;
  const compile = compileErrorLines(err);
  if (compile) return `A file does not compile: ${compile.slice(0, 5).join("; ")}`;
  if (err instanceof Error) return err.message.split("\n")[0] ?? err.name;
  return String(err);
}

/**
 * The one error formatter for people (CLI and the local runtime's HTTP answers): a sentence naming
 * what is wrong and what to do. Never SQL, parameters, payloads or stacks, unless `debug`.
 */
export function formatError(err: unknown, options: FormatErrorOptions = {}): string {
  const text = sentence(err);
  if (!options.debug) return text;
  const details = causes(err).map((link) =>
    link instanceof Error ? (link.stack ?? `${link.name}: ${link.message}`) : String(link),
  );
  return `${text}\n\n${details.join("\n\ncaused by: ")}`;
}
