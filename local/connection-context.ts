import { getConfig } from "../src/config.ts";
import type { ConnectionDeps } from "../src/connections/connection-deps.ts";
import { getKeyRing } from "../src/crypto/load-key-ring.ts";
import { loadOAuthStateSecret } from "../src/crypto/load-oauth-state-secret.ts";
import type { Db } from "../src/db/types.ts";
import { createConnectionNotifier } from "../src/health/connection-notifier.ts";
import { oauthSettingsFromEnv } from "../src/ingress/ingress-deps.ts";
import { captureFailure } from "../src/observability/sentry.ts";

/** Connection dependencies and OAuth settings for the local runtime and the CLI. */
export async function connectionContext(db: Db, publicBaseUrl?: string) {
  const keyRing = await getKeyRing();
  const env = process.env;
  const deps: ConnectionDeps = {
    db,
    keyRing,
    env,
    notifier: createConnectionNotifier({
      db,
      keyRing,
      platformSlackWebhookUrl: env.ALERTS_SLACK_WEBHOOK_URL,
      capture: captureFailure,
    }),
  };
  const oauth = oauthSettingsFromEnv(
    { ...env, OAUTH_STATE_SECRET: env.OAUTH_STATE_SECRET ?? loadOAuthStateSecret() },
    publicBaseUrl ?? `http://localhost:${getConfig().PORT}`,
  );
  return { deps, oauth };
}
