const CREDENTIAL_SUFFIX = /_(API_KEY|CLIENT_SECRET|SECRET_KEY|SECRET|WEBHOOK_SECRET|WEBHOOK_ID)$/;
const NOT_PROVIDERS = new Set(["TRIGGER_SECRET_KEY", "TRIGGER_ACCESS_TOKEN", "OAUTH_STATE_SECRET"]);

/**
 * Sandbox mode (providers are the loopback simulators). Never outside local mode: not with
 * SWITCHBOARD_LOCAL=0 and not with NODE_ENV=production, whatever else is set. In local mode it is
 * on when forced with SWITCHBOARD_SANDBOX=1, off with =0, and otherwise on when no provider
 * credential is configured.
 */
export function shouldUseSandbox(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.NODE_ENV?.trim() === "production") return false;
  if (env.SWITCHBOARD_LOCAL?.trim() !== "1") return false;
  const forced = env.SWITCHBOARD_SANDBOX?.trim();
  if (forced === "1") return true;
  if (forced === "0") return false;
  return !Object.entries(env).some(
    ([name, value]) => CREDENTIAL_SUFFIX.test(name) && !NOT_PROVIDERS.has(name) && Boolean(value?.trim()),
  );
}
