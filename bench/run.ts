import { benchCli } from "./cli.ts";
import { benchCredentialRotation } from "./credential-rotation.ts";
import { benchDashboard } from "./dashboard.ts";
import { benchFairingSync } from "./fairing-sync.ts";
import { benchHealthSweep } from "./health-sweep.ts";
import { benchInboxScale } from "./inbox-scale.ts";
import { medianOfRuns } from "./median-of-runs.ts";
import { benchPayouts } from "./payouts.ts";
import { benchRefreshScale } from "./refresh-scale.ts";
import { benchRefreshSweep } from "./refresh-sweep.ts";
import { benchWebhooks } from "./webhooks.ts";

/**
 * `npm run bench [name]`: each benchmark prints ratios against a baseline measured in the same
 * run, on this machine, now (never an absolute bound). Each runs BENCH_RUNS times (default 3) and
 * every figure is printed as `median (min–max)`.
 */
const benches: Record<string, () => Promise<string>> = {
  cli: benchCli,
  "credential-rotation": benchCredentialRotation,
  dashboard: benchDashboard,
  "fairing-sync": benchFairingSync,
  "health-sweep": benchHealthSweep,
  payouts: benchPayouts,
  "refresh-sweep": benchRefreshSweep,
  "refresh-scale": benchRefreshScale,
  webhooks: benchWebhooks,
  "inbox-scale": benchInboxScale,
};

const only = process.argv[2];
const runs = Number(process.env.BENCH_RUNS ?? 3);
process.env.LOG_LEVEL ??= "warn";
// Benchmarks run like the local runtime: generated development keys under DATA_DIR.
process.env.SWITCHBOARD_LOCAL ??= "1";
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  const outputs: string[] = [];
  for (let i = 0; i < runs; i++) outputs.push(await run());
  process.stdout.write(`${medianOfRuns(outputs)}\n  (median of ${runs} runs, min–max in parentheses)\n\n`);
}
