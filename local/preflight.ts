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
