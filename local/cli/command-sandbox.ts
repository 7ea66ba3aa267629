import { shouldUseSandbox } from "../sandbox/detect-sandbox.ts";

/** Commands that may call a provider: probes, token refresh and revocation, task and handler runs. */
const CALLS_PROVIDERS = new Set(["connections", "task", "webhooks", "doctor"]);

/**
 * Runs a CLI command that executes here (no `npm start` to forward it to) on provider simulators
 * of its own when the environment is in sandbox mode, so a local command never reaches a real
 * provider just because the runtime that normally hosts the simulators is not running.
 * Variables already set (a developer's own `<ID>_API_URL`) win over the simulators'.
 */
export async function withCommandSandbox<T>(args: string[], run: () => Promise<T>): Promise<T> {
  const command = args.find((arg) => !arg.startsWith("-"));
  if (!command || !CALLS_PROVIDERS.has(command) || !shouldUseSandbox()) return run();
  const { startSandbox } = await import("../sandbox/start-sandbox.ts");
  const sandbox = await startSandbox();
  const added = Object.keys(sandbox.env).filter((name) => process.env[name] === undefined);
  for (const name of added) process.env[name] = sandbox.env[name];
  try {
    return await run();
  } finally {
    for (const name of added) delete process.env[name];
    await sandbox.close();
  }
}
