import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";

/**
 * How CLI processes find a running `npm start`: `DATA_DIR/runtime.json` (mode 0600) holds its
 * URL, a per-start token for its command endpoint, which database it has open, and the sandbox
 * environment (simulator URLs, signing secrets). One file, so `PORT` is never given twice.
 */
export interface RuntimeRecord {
  pid: number;
  url: string;
  token: string;
  database: string;
  sandboxEnv?: Record<string, string>;
}

const FILE = "runtime.json";

/** Identifies a database without storing its URL (which may hold a password). */
export function databaseIdentity(env: NodeJS.ProcessEnv = process.env): string {
  const url = env.DATABASE_URL?.trim() || `pglite://${resolve(dataDirOf(env), "pglite")}`;
  return createHash("sha256").update(url).digest("hex").slice(0, 16);
}

export function dataDirOf(env: NodeJS.ProcessEnv = process.env): string {
  return env.DATA_DIR?.trim() || ".data";
}

export function newRuntimeToken(): string {
  return randomBytes(24).toString("base64url");
}

/** Writes the record; the returned function removes it (only if it is still ours). */
export function writeRuntimeRecord(dataDir: string, record: RuntimeRecord): () => void {
  const path = join(dataDir, FILE);
  mkdirSync(dataDir, { recursive: true });
  // Written whole, then renamed into place: a CLI (or a test) reading it never sees half a file.
  const partial = `${path}.${process.pid}.partial`;
  writeFileSync(partial, JSON.stringify(record), { mode: 0o600 });
  renameSync(partial, path);
  return () => {
    if (readRuntimeRecord(dataDir, { checkAlive: false })?.token === record.token)
      rmSync(path, { force: true });
  };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** The record of a live runtime on this DATA_DIR, if any (a stale file of a dead process is ignored). */
export function readRuntimeRecord(
  dataDir: string,
  options: { checkAlive?: boolean } = {},
): RuntimeRecord | undefined {
  let record: RuntimeRecord;
  try {
    record = JSON.parse(readFileSync(join(dataDir, FILE), "utf8")) as RuntimeRecord;
  } catch {
    return undefined;
  }
  if (options.checkAlive !== false && !alive(record.pid)) return undefined;
  return record;
}

/** Applies a live runtime's sandbox environment to this process (variables already set win). */
export function adoptSandboxEnv(record: RuntimeRecord | undefined): boolean {
  if (!record?.sandboxEnv) return false;
  for (const [name, value] of Object.entries(record.sandboxEnv)) process.env[name] ??= value;
  return true;
}
