import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface RuntimeProcess {
  url: string;
  dataDir: string;
  child: ChildProcess;
  /** Everything the process wrote to stderr (its log lines) so far. */
  logs(): string;
  exited(): boolean;
  stop(): Promise<void>;
}

/**
 * Starts `npm start` (local/main.ts through tsx) in a child process on an ephemeral port with its
 * own DATA_DIR, and resolves once it prints the URL it listens on.
 */
export async function startRuntimeProcess(
  env: Record<string, string | undefined> = {},
  timeoutMs = 150_000,
): Promise<RuntimeProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "switchboard-runtime-"));
  const child = spawn(process.execPath, ["--import", "tsx", "local/main.ts"], {
    env: {
      ...process.env,
      DATABASE_URL: "",
      DATA_DIR: dataDir,
      PORT: "0",
      LOG_LEVEL: "info",
      SWITCHBOARD_SANDBOX: "0",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stderr = "";
  let exitCode: number | null | undefined;
  child.stdout?.resume();
  child.stderr?.on("data", (chunk) => {
    stderr += chunk;
    // Keep memory bounded when a test makes the process log thousands of lines.
    if (stderr.length > 2_000_000) stderr = stderr.slice(-1_000_000);
  });
  child.on("exit", (code) => {
    exitCode = code;
  });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`runtime did not start:\n${stderr}`)), timeoutMs);
    const onData = () => {
      const match = stderr.match(/running on (http:\/\/[^\s"]+)/);
      if (match) {
        clearTimeout(timer);
        child.stderr?.off("data", onData);
        resolve(match[1]!);
      }
    };
    child.stderr?.on("data", onData);
    child.once("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`runtime exited with ${code} before listening:\n${stderr}`));
    });
  });
  return {
    url,
    dataDir,
    child,
    logs: () => stderr,
    exited: () => exitCode !== undefined,
    stop: async () => {
      if (exitCode === undefined) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 15_000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
