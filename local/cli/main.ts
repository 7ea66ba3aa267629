import { existsSync } from "node:fs";
import { Command, CommanderError } from "commander";
import { AppError } from "../../src/errors.ts";
import { adoptSandboxEnv } from "../sandbox/sandbox-env-file.ts";
import { registerConnectionsCommand } from "./connections-command.ts";
import { registerDbCommand } from "./db-command.ts";
import { registerRunsCommand } from "./runs-command.ts";
import { registerSandboxCommand } from "./sandbox-command.ts";
import { registerTaskCommand } from "./task-command.ts";
import { registerTenantsCommand } from "./tenants-command.ts";
import { registerWebhooksCommand } from "./webhooks-command.ts";

if (existsSync(".env")) process.loadEnvFile(".env");
process.env.SWITCHBOARD_LOCAL ??= "1";
// Talk to the simulators of a running `npm start` in sandbox mode.
adoptSandboxEnv(process.env.DATA_DIR?.trim() || ".data");

const program = new Command()
  .name("switchboard")
  .description("Switchboard operator CLI (logs on stderr; --json prints one JSON document on stdout)")
  .exitOverride();

registerTenantsCommand(program);
registerConnectionsCommand(program);
registerTaskCommand(program);
registerRunsCommand(program);
registerWebhooksCommand(program);
registerSandboxCommand(program);
registerDbCommand(program);

try {
  await program.parseAsync(process.argv);
} catch (err) {
  if (err instanceof CommanderError) {
    process.exitCode = err.exitCode === 0 ? 0 : 2;
  } else {
    process.stderr.write(
      `error: ${err instanceof AppError || err instanceof Error ? err.message : String(err)}\n`,
    );
    process.exitCode = 1;
  }
}
