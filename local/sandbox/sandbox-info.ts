/** The keys the simulators accept, for `connections connect-key` in sandbox mode. */
export const SANDBOX_TEST_KEYS: Record<string, string> = {
  resend: "re_sandbox_valid_key",
  lob: "test_sandbox_lob_key",
  retell: "key_sandbox_retell",
  elevenlabs: "sk_sandbox_elevenlabs",
  fairing: "fairing_sandbox_token",
  stripe_connect: "sk_test_sandbox",
};

export interface SandboxInfo {
  running: boolean;
  testKeys: Record<string, string>;
  oauthClient: { id: string; secret: string };
  endpoints: Record<string, string>;
  text: string;
}

/** What `switchboard sandbox info` prints: simulator endpoints of the running runtime and test keys. */
export function sandboxInfo(env: Record<string, string> | undefined): SandboxInfo {
  const endpoints = Object.fromEntries(
    Object.entries(env ?? {})
      .filter(([name]) => /_(API|AUTH|TOKEN)_URL$/.test(name))
      .sort(([a], [b]) => a.localeCompare(b)),
  );
  const lines = [
    env
      ? "Sandbox simulators of the running `npm start`:"
      : "No running `npm start` in sandbox mode on this DATA_DIR (start one to get simulators).",
    ...Object.entries(endpoints).map(([name, url]) => `  ${name}=${url}`),
    "Test keys the simulators accept (connections connect-key <tenant> <provider> --key <key>):",
    ...Object.entries(SANDBOX_TEST_KEYS).map(([provider, key]) => `  ${provider}: ${key}`),
    "Lob signs webhooks with the tenant's own secret: add --field webhook_secret=<any secret> when connecting lob,",
    "  then `sandbox emit lob --tenant <tenant>` signs with it (Retell signs with the API key itself).",
    "OAuth: every provider approves at once (client sandbox-client / sandbox-secret).",
  ];
  return {
    running: Boolean(env),
    testKeys: SANDBOX_TEST_KEYS,
    oauthClient: { id: "sandbox-client", secret: "sandbox-secret" },
    endpoints,
    text: lines.join("\n"),
  };
}
