import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { killStartedRuntimes, type NpmStart, npmStart } from "./helpers/npm-start.ts";

/** The README's tour: the shell block after `<!-- tour -->`, one command per line. */
function tourCommands(): string[] {
  const readme = readFileSync("README.md", "utf8");
  const block = readme.split("<!-- tour -->")[1]?.match(/```sh\n([\s\S]*?)```/)?.[1];
  if (!block) throw new Error("README.md has no tour block");
  return block.split("\n").filter((line) => line.trim() && !line.trim().startsWith("#"));
}

function bash(
  line: string,
  env: Record<string, string>,
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string; ms: number }> {
  const started = Date.now();
  return new Promise((done) => {
    const child = spawn("bash", ["-c", `set -euo pipefail; ${line}`], {
      env: { ...process.env, ...env },
      cwd,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill("SIGKILL"), 60_000);
    child.on("close", (code) => {
      clearTimeout(timer);
      done({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

let dataDir: string;
let runtime: NpmStart;
let env: Record<string, string>;
let workDir: string;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), "sb-tour-"));
  // `switchboard` on the PATH, as after `npm link`; run from elsewhere so no developer .env is read.
  const binDir = mkdtempSync(join(tmpdir(), "sb-tour-bin-"));
  symlinkSync(resolve("bin/switchboard.mjs"), join(binDir, "switchboard"));
  workDir = mkdtempSync(join(tmpdir(), "sb-tour-cwd-"));
  runtime = await npmStart(dataDir, { SWITCHBOARD_SANDBOX: "1" });
  env = { PATH: `${binDir}:${process.env.PATH}`, DATA_DIR: dataDir, LOG_LEVEL: "warn" };
}, 180_000); // a cold `npm start` compiles the task files first: slow on a loaded machine
afterAll(async () => {
  if (runtime?.child.exitCode === null) await runtime.stop();
  killStartedRuntimes();
});

describe("the README's five-minute tour, beside a running npm start on PGlite", { timeout: 300_000 }, () => {
  it("runs every command to a zero exit, in order, on the runtime's database", async () => {
    const outputs: string[] = [];
    for (const line of tourCommands()) {
      const assignment = line.match(/^(\w+)=\$\((.*)\)$/);
      const result = await bash(assignment ? assignment[2]! : line, env, workDir);
      expect(result.code, `${line}\n${result.stderr}`).toBe(0);
      expect(result.stderr, line).not.toMatch(/Failed query|at .+\.(ts|js):\d+/);
      if (assignment) env[assignment[1]!] = result.stdout.trim();
      outputs.push(result.stdout);
    }
    const all = outputs.join("\n");
    expect(all).toContain("Connected slack for Acme");
    expect(all).toMatch(/resend\s+active/);
    expect(all).toMatch(/slack\s+active/);
    expect(all).toContain("stripe: HTTP 200");
  });

  it("shuts down gracefully when npm start itself is signalled: lock and runtime.json removed", async () => {
    const code = await runtime.stop("SIGTERM");
    expect(code, runtime.logs()).toBe(0);
    expect(runtime.logs()).toContain("shutting down");
    expect(runtime.logs()).toContain("stopped: database closed");
    expect(existsSync(join(dataDir, "runtime.json"))).toBe(false);
    expect(existsSync(join(dataDir, "pglite.lock"))).toBe(false);
  });
});
