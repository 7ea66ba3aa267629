import { loadDotEnv } from "../load-dot-env.ts";
import { adoptSandboxEnv, databaseIdentity, dataDirOf, readRuntimeRecord } from "../runtime-file.ts";
import { withCommandSandbox } from "./command-sandbox.ts";
import { forwardToRuntime } from "./forward.ts";
import { processIo } from "./output.ts";
import { runCliCommand } from "./run-cli.ts";

// .env is optional; real environment variables win. An empty SWITCHBOARD_LOCAL= (as in
// .env.example) still means local: only an explicit 0 turns it off.
loadDotEnv();

const args = process.argv.slice(2);
const answersLocally =
  args.length === 0 || args.some((a) => ["-h", "--help", "-V", "--version", "help"].includes(a));

// A running `npm start` on this DATA_DIR and database owns the database (PGlite admits one
// process): the command runs inside it. Otherwise it runs here, on the runtime's simulators, or
// on simulators of its own when none runs and the environment is in sandbox mode.
const record = readRuntimeRecord(dataDirOf());
adoptSandboxEnv(record);
const forwarded =
  record && !answersLocally && record.database === databaseIdentity()
    ? await forwardToRuntime(record, args)
    : undefined;
if (forwarded) {
  process.stdout.write(forwarded.stdout);
  process.stderr.write(forwarded.stderr);
  process.exitCode = forwarded.exitCode;
} else if (answersLocally) {
  await runCliCommand(args, processIo);
} else {
  await withCommandSandbox(args, () => runCliCommand(args, processIo));
}
