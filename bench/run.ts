import { benchCredentialRotation } from "./credential-rotation.ts";
import { benchRefreshSweep } from "./refresh-sweep.ts";

/**
 * `npm run bench [name]`: each benchmark prints a ratio against a baseline measured in the same
 * process, on this machine, now (never an absolute bound).
 */
const benches: Record<string, () => Promise<string>> = {
  "credential-rotation": benchCredentialRotation,
  "refresh-sweep": benchRefreshSweep,
};

const only = process.argv[2];
process.env.LOG_LEVEL ??= "warn";
for (const [name, run] of Object.entries(benches)) {
  if (only && only !== name) continue;
  process.stdout.write(`${await run()}\n\n`);
}
