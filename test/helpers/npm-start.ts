import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import type { RuntimeRecord } from "../../local/runtime-file.ts";
import { waitUntil } from "./wait-until.ts";

export interface NpmStart {
  child: ChildProcess;
  record: RuntimeRecord;
  logs(): string;
  /** Sends `signal` to the `npm start` process itself and resolves with its exit code. */
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

const started = new Set<ChildProcess>();

/** Kills every `npm start` this test file started that is still running (e.g. after a timeout). */
export function killStartedRuntimes(): void {
  for (const child of started)
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
}

/** Runs the real `npm start` (the launcher people use) on `dataDir`, on a free port. */
export async function npmStart(dataDir: string, env: Record<string, string> = {}): Promise<NpmStart> {
  let output = "";
  const child = spawn("npm", ["start"], {
    env: { ...process.env, DATA_DIR: dataDir, PORT: "0", LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  started.add(child);
  child.stdout!.on("data", (d) => {
    output += d;
  });
  child.stderr!.on("data", (d) => {
    output += d;
  });
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const file = join(dataDir, "runtime.json");
  await waitUntil(() => existsSync(file) || child.exitCode !== null, 120_000, "npm start");
  if (!existsSync(file)) throw new Error(`npm start did not come up:\n${output}`);
  return {
    child,
    record: JSON.parse(readFileSync(file, "utf8")) as RuntimeRecord,
    logs: () => output,
    stop: (signal = "SIGTERM") => {
      child.kill(signal);
      return exited;
    },
  };
}
