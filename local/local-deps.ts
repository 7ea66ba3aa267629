import { buildDeps, type Deps } from "../src/build-deps.ts";
import { getConfig } from "../src/config.ts";
import type { OAuthSettings } from "../src/connections/oauth-settings.ts";
import { getKeyRing } from "../src/crypto/load-key-ring.ts";
import { loadOAuthStateSecret } from "../src/crypto/load-oauth-state-secret.ts";
import type { Db } from "../src/db/types.ts";
import { oauthSettingsFromEnv } from "../src/ingress/ingress-deps.ts";
import { createTriggerJobQueue, type JobQueue } from "../src/jobs.ts";
import { captureFailure } from "../src/observability/sentry.ts";

/** The dependencies (through the one builder) and OAuth settings of the local runtime and the CLI. */
export async function localDeps(
  db: Db,
  options: { jobs?: JobQueue; publicBaseUrl?: string | undefined } = {},
): Promise<{ deps: Deps; oauth: OAuthSettings }> {
  const env = process.env;
  const deps = buildDeps({
    db,
    jobs: options.jobs ?? createTriggerJobQueue(),
    keyRing: await getKeyRing(),
    env,
    capture: captureFailure,
  });
  const oauth = oauthSettingsFromEnv(
    { ...env, OAUTH_STATE_SECRET: env.OAUTH_STATE_SECRET?.trim() || loadOAuthStateSecret() },
    options.publicBaseUrl ?? `http://localhost:${getConfig().PORT}`,
  );
  return { deps, oauth };
}
