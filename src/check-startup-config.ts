import { parseConfig } from "./config.ts";
import { parseKeyRing } from "./crypto/key-ring.ts";
import { ConfigError } from "./errors.ts";

const PREFIX = "Invalid environment:\n  - ";

/**
 * Checks the whole environment a process needs before it starts and reports every problem in one
 * error: the variables of the config schema and the credential key ring (missing outside local
 * mode, or malformed), so a person fixes them all in one go.
 */
export async function checkStartupConfig(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  const problems: string[] = [];
  try {
    parseConfig(env);
  } catch (err) {
    if (!(err instanceof ConfigError)) throw err;
    problems.push(
      ...(err.message.startsWith(PREFIX) ? err.message.slice(PREFIX.length).split("\n  - ") : [err.message]),
    );
  }
  const keys = env.ENCRYPTION_KEYS?.trim();
  if (keys) {
    await parseKeyRing(keys).catch((err: Error) => problems.push(`ENCRYPTION_KEYS: ${err.message}`));
  } else if (env.SWITCHBOARD_LOCAL?.trim() !== "1") {
    problems.push("ENCRYPTION_KEYS: required outside the local runtime (see .env.example to generate one)");
  }
  if (problems.length > 0) throw new ConfigError(`${PREFIX}${problems.join("\n  - ")}`);
}
