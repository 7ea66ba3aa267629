import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The running local runtime's sandbox environment, shared with CLI processes through
 * `DATA_DIR/sandbox.json` so `switchboard connections …` talks to the same simulators.
 */
export function writeSandboxEnv(dataDir: string, env: Record<string, string>): () => void {
  const path = join(dataDir, "sandbox.json");
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(path, JSON.stringify({ pid: process.pid, env }), { mode: 0o600 });
  return () => rmSync(path, { force: true });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Applies a live runtime's sandbox environment to this process (variables already set win). */
export function adoptSandboxEnv(dataDir: string): boolean {
  try {
    const { pid, env } = JSON.parse(readFileSync(join(dataDir, "sandbox.json"), "utf8")) as {
      pid: number;
      env: Record<string, string>;
    };
    if (!alive(pid)) return false;
    for (const [name, value] of Object.entries(env)) process.env[name] ??= value;
    return true;
  } catch {
    return false;
  }
}
