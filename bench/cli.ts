import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 5);

/** Median wall time of a command, in ms. */
function median(args: string[], env: NodeJS.ProcessEnv): number {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const result = spawnSync(process.execPath, args, { env, stdio: ["ignore", "ignore", "pipe"] });
    if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b)[Math.floor(times.length / 2)]!;
}

/**
 * The compiled CLI's start-up: `--help`, and a database command on PGlite with no runtime (the
 * slowest case: the CLI opens the database itself), as ratios against `node -e 0` measured now.
 * The targets are < 0.5 s for `--help` and < 1.5 s for a database command on this machine.
 */
export async function benchCli(): Promise<string> {
  execFileSync(process.execPath, ["local/cli/build.mjs"]);
  const dataDir = mkdtempSync(join(tmpdir(), "sb-bench-cli-"));
  const env = { ...process.env, DATA_DIR: dataDir, DATABASE_URL: "", LOG_LEVEL: "warn", SWITCHBOARD_SANDBOX: "0" };
  try {
    spawnSync(process.execPath, ["bin/switchboard.mjs", "db", "migrate"], { env }); // create the database once
    const baseline = median(["-e", "0"], env);
    const help = median(["bin/switchboard.mjs", "--help"], env);
    const version = median(["bin/switchboard.mjs", "--version"], env);
    const list = median(["bin/switchboard.mjs", "tenants", "list"], env);
    const line = (name: string, ms: number) =>
      `  ${name.padEnd(30)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / baseline).toFixed(1)}x node -e 0`;
    return [
      `cli (median of ${RUNS}; node -e 0 = ${baseline.toFixed(0)} ms)`,
      line("switchboard --help", help),
      line("switchboard --version", version),
      line("switchboard tenants list (PGlite)", list),
    ].join("\n");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
