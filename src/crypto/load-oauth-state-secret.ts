import { randomBytes } from "node:crypto";
import { getConfig, isLocalMode } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { readOrCreateDevSecret } from "./dev-secret.ts";

/** OAUTH_STATE_SECRET, or in local mode a generated one under DATA_DIR. Node only. */
export function loadOAuthStateSecret(): string {
  const config = getConfig();
  if (config.OAUTH_STATE_SECRET) return config.OAUTH_STATE_SECRET;
  if (!isLocalMode()) throw new ConfigError("OAUTH_STATE_SECRET is required outside the local runtime");
  return readOrCreateDevSecret(config.DATA_DIR, "dev-oauth-state-secret", () =>
    randomBytes(32).toString("base64url"),
  );
}
