import { checkStartupConfig } from "../src/check-startup-config.ts";
import { ConfigError } from "../src/errors.ts";

/** Settings a runtime outside local mode must have: it never falls back to generated ones. */
const REQUIRED_OUTSIDE_LOCAL = ["ENCRYPTION_KEYS", "OAUTH_STATE_SECRET", "TRIGGER_SECRET_KEY"] as const;

/**
 * Why this process must not start, as one line, or undefined. Outside local mode
 * (SWITCHBOARD_LOCAL=0 or NODE_ENV=production) nothing is generated, so missing keys are fatal;
 * checked before anything starts or migrates.
 */
export function startRefusal(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const production = env.NODE_ENV?.trim() === "production";
  const local = env.SWITCHBOARD_LOCAL?.trim() === "1" && !production;
  if (local) return undefined;
  const missing = REQUIRED_OUTSIDE_LOCAL.filter((name) => !env[name]?.trim());
  if (missing.length === 0) return undefined;
  const mode = production ? "NODE_ENV=production" : "SWITCHBOARD_LOCAL=0";
  return `switchboard: refusing to start: ${missing.join(", ")} must be set with ${mode} (nothing is generated outside local mode; see .env.example)`;
}

/**
 * Everything wrong with the environment, in one message, or undefined: the refusal above plus
 * every malformed or missing variable and a malformed key ring (`checkStartupConfig`), so a
 * person fixes them all in one go. Used by `npm start` and `switchboard doctor`.
 */
export async function environmentProblems(env: NodeJS.ProcessEnv = process.env): Promise<string | undefined> {
  const refusal = startRefusal(env);
  const invalid = await checkStartupConfig(env).then(
    () => undefined,
    (err: unknown) => {
      if (err instanceof ConfigError) return err.message;
      throw err;
    },
  );
  // The refusal already names the missing required variables: keep only the other problems.
  const others = (invalid ?? "")
    .split("\n  - ")
    .slice(1)
    .filter((line) => !(refusal && /required outside the local runtime/.test(line)));
  if (!refusal && others.length === 0) return undefined;
  return [refusal, ...(others.length ? [`Invalid environment:\n  - ${others.join("\n  - ")}`] : [])]
    .filter(Boolean)
    .join("\n");
}
