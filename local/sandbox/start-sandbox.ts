import { type OAuthSimulator, startOAuthSimulator } from "./oauth-server.ts";

export interface Sandbox {
  oauth: OAuthSimulator;
  /** Environment the sandbox points providers at (`<ID>_TOKEN_URL`, `<ID>_CLIENT_ID`, …). */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** Starts every provider simulator on loopback ports. */
export async function startSandbox(): Promise<Sandbox> {
  const oauth = await startOAuthSimulator({ clientId: "sandbox-client", clientSecret: "sandbox-secret" });
  const env: Record<string, string> = {
    SANDBOX_OAUTH_TOKEN_URL: oauth.tokenUrl,
    SANDBOX_OAUTH_AUTH_URL: oauth.authorizeUrl,
    SANDBOX_OAUTH_CLIENT_ID: "sandbox-client",
  };
  return {
    oauth,
    env,
    close: () => oauth.close(),
  };
}
