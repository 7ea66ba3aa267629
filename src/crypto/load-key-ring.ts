import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { getConfig, isLocalMode } from "../config.ts";
import { ConfigError } from "../errors.ts";
import { logger } from "../observability/logger.ts";
import { readOrCreateDevSecret } from "./dev-secret.ts";
import { type KeyRing, parseKeyRing } from "./key-ring.ts";

let cached: Promise<KeyRing> | undefined;

/**
 * The process's key ring (Node only). Outside local mode a missing ENCRYPTION_KEYS is fatal;
 * in local mode a development key is generated under DATA_DIR, with a warning.
 */
export function getKeyRing(): Promise<KeyRing> {
  cached ??= (async () => {
    const config = getConfig();
    if (config.ENCRYPTION_KEYS) return parseKeyRing(config.ENCRYPTION_KEYS);
    if (!isLocalMode()) {
      throw new ConfigError("ENCRYPTION_KEYS is required outside the local runtime (see .env.example)");
    }
    logger.warn("ENCRYPTION_KEYS is not set: using a generated development key; never use it in production", {
      path: join(config.DATA_DIR, "dev-encryption-key"),
    });
    return parseKeyRing(
      readOrCreateDevSecret(
        config.DATA_DIR,
        "dev-encryption-key",
        () => `dev1:${randomBytes(32).toString("base64")}`,
      ),
    );
  })();
  cached.catch(() => {
    cached = undefined;
  });
  return cached;
}

export function resetKeyRing(): void {
  cached = undefined;
}
