import type { Command } from "commander";
import { emit, fail } from "./output.ts";

export function registerDoctorCommand(program: Command): void {
  program
    .command("doctor")
    .description(
      "check the environment: configuration, database, migrations, keys, Trigger.dev, provider credentials",
    )
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { runDoctorChecks } = await import("./doctor-checks.ts");
      const checks = await runDoctorChecks();
      emit(opts.json, { ok: checks.every((c) => c.ok), checks }, () =>
        checks.map((c) => `${c.ok ? "✓" : "✗"} ${c.name}: ${c.detail}`).join("\n"),
      );
      if (!checks.every((c) => c.ok)) fail();
    });
}
