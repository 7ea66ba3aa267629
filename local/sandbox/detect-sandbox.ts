const CREDENTIAL_SUFFIX = /_(API_KEY|CLIENT_SECRET|SECRET_KEY|SECRET|WEBHOOK_SECRET|WEBHOOK_ID)$/;
const NOT_PROVIDERS = new Set(["TRIGGER_SECRET_KEY", "TRIGGER_ACCESS_TOKEN", "OAUTH_STATE_SECRET"]);

/**
 * Sandbox mode: on when no provider credential is configured (or forced with
 * SWITCHBOARD_SANDBOX=1 / =0). In sandbox mode providers are the loopback simulators.
 */
export function shouldUseSandbox(env: NodeJS.ProcessEnv = process.env): boolean {
  const forced = env.SWITCHBOARD_SANDBOX?.trim();
  if (forced === "1") return true;
  if (forced === "0") return false;
  return !Object.entries(env).some(
    ([name, value]) => CREDENTIAL_SUFFIX.test(name) && !NOT_PROVIDERS.has(name) && Boolean(value?.trim()),
  );
}
