import type { ConnectionDeps } from "./connection-deps.ts";
import { getAccessToken } from "./get-access-token.ts";

/** Where capability code gets the secret it calls a provider with, for one tenant. */
export interface CredentialResolver {
  /** A usable access token or API key of `provider` for `tenantId`. */
  accessToken(tenantId: string, provider: string): Promise<string>;
}

/** Resolves credentials from the tenant's connection (refreshed on demand). */
export function createCredentialResolver(deps: ConnectionDeps): CredentialResolver {
  return { accessToken: (tenantId, provider) => getAccessToken(deps, tenantId, provider) };
}
