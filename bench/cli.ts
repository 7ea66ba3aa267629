import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const RUNS = Number(process.env.BENCH_CLI_RUNS ?? 5);

/** Median wall time of a command, in ms (spawned asynchronously: a runtime in this process must answer). */
async function median(args: string[], env: NodeJS.ProcessEnv): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) =>
      spawn(process.execPath, args, { env, stdio: "ignore" }).on("exit", resolve),
    );
    if (code !== 0) throw new Error(`${args.join(" ")} exited with ${code}`);
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
  const env = {
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: "",
    LOG_LEVEL: "warn",
    SWITCHBOARD_SANDBOX: "0",
  };
  try {
    spawnSync(process.execPath, ["bin/switchboard.mjs", "db", "migrate"], { env }); // create the database once
    const baseline = await median(["-e", "0"], env);
    const help = await median(["bin/switchboard.mjs", "--help"], env);
    const version = await median(["bin/switchboard.mjs", "--version"], env);
    const list = await median(["bin/switchboard.mjs", "tenants", "list"], env);
    // Beside a running runtime (as with `npm start`), the command runs inside it.
    process.env.DATA_DIR = dataDir;
    process.env.DATABASE_URL = "";
    const { startRuntime } = await import("../local/runtime.ts");
    const runtime = await startRuntime({ port: 0, sandbox: false, cron: false });
    let beside: number;
    try {
      beside = await median(["bin/switchboard.mjs", "tenants", "list"], env);
    } finally {
      await runtime.close(1_000);
    }
    const line = (name: string, ms: number) =>
      `  ${name.padEnd(34)} ${ms.toFixed(0).padStart(6)} ms  ${(ms / baseline).toFixed(1)}x node -e 0`;
    return [
      `cli (median of ${RUNS}; node -e 0 = ${baseline.toFixed(0)} ms)`,
      line("switchboard --help", help),
      line("switchboard --version", version),
      line("tenants list, no runtime (PGlite)", list),
      line("tenants list beside the runtime", beside),
    ].join("\n");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}
