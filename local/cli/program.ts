import { Command } from "commander";
import { registerConnectionsCommand } from "./connections-command.ts";
import { registerDbCommand } from "./db-command.ts";
import { registerDoctorCommand } from "./doctor-command.ts";
import { registerHealthCommand } from "./health-command.ts";
import { cliIo } from "./output.ts";
import { registerPayoutsCommand } from "./payouts-command.ts";
import { registerRunsCommand } from "./runs-command.ts";
import { registerSandboxCommand } from "./sandbox-command.ts";
import { registerSurveysCommand } from "./surveys-command.ts";
import { registerTaskCommand } from "./task-command.ts";
import { registerTenantsCommand } from "./tenants-command.ts";
import { registerWebhooksCommand } from "./webhooks-command.ts";

export const CLI_VERSION = "0.1.0";

/**
 * The `switchboard` command tree. Registration is cheap: each action imports what it needs when it
 * runs, so `--help` and `--version` answer without loading the database or the SDKs.
 */
export function buildProgram(): Command {
  const program = new Command()
    .name("switchboard")
    .description("Switchboard operator CLI (logs on stderr; --json prints one JSON document on stdout)")
    .version(CLI_VERSION, "-V, --version")
    .option("--debug", "print stack traces and causes with errors")
    .configureOutput({
      writeOut: (text) => cliIo().stdout(text),
      writeErr: (text) => cliIo().stderr(text),
    })
    .exitOverride();
  registerTenantsCommand(program);
  registerConnectionsCommand(program);
  registerTaskCommand(program);
  registerRunsCommand(program);
  registerWebhooksCommand(program);
  registerSandboxCommand(program);
  registerSurveysCommand(program);
  registerPayoutsCommand(program);
  registerHealthCommand(program);
  registerDbCommand(program);
  registerDoctorCommand(program);
  return program;
}
