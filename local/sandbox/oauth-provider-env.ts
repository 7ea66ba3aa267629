import { catalogEndpoints } from "./catalog-endpoints.ts";
import type { OAuthSimulator } from "./oauth-server.ts";

/**
 * The environment that points one catalog provider's OAuth endpoints and client at a simulator
 * (the revoke URL only where the catalog has one).
 */
export function oauthProviderEnv(
  id: string,
  sim: OAuthSimulator,
  apiUrl: string,
  client: { id: string; secret: string },
): Record<string, string> {
  const prefix = id.toUpperCase();
  return {
    [`${prefix}_AUTH_URL`]: sim.authorizeUrl,
    [`${prefix}_TOKEN_URL`]: sim.tokenUrl,
    ...(catalogEndpoints(id).includes("REVOKE_URL") ? { [`${prefix}_REVOKE_URL`]: sim.revokeUrl } : {}),
    [`${prefix}_API_URL`]: apiUrl,
    [`${prefix}_CLIENT_ID`]: client.id,
    [`${prefix}_CLIENT_SECRET`]: client.secret,
  };
}
