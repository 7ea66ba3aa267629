import { benchCli } from "./cli.ts";
import { benchCredentialRotation } from "./credential-rotation.ts";
import { benchDashboard } from "./dashboard.ts";
import { benchFairingSync } from "./fairing-sync.ts";
import { benchRefreshSweep } from "./refresh-sweep.ts";
import { benchWebhooks } from "./webhooks.ts";

/**
 * `npm run bench [name]`: each benchmark prints a ratio against a baseline measured in the same
 * process, on this machine, now (never an absolute bound).
 */
const benches: Record<string, () => Promise<string>> = {
  cli: benchCli,
  "credential-rotation": benchCredentialRotation,
  dashboard: benchDashboard,
  "fairing-sync": benchFairingSync,
  "refresh-sweep": benchRefreshSweep,
  webhooks: benchWebhooks,
};

const only = process.argv[2];
process.env.LOG_LEVEL ??= "warn";
// Benchmarks run like the local runtime: generated development keys under DATA_DIR.
process.env.SWITCHBOARD_LOCAL ??= "1";
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  process.stdout.write(`${await run()}\n\n`);
}
