import { findProvider } from "../../src/providers/catalog.ts";

export type EndpointVariable = "API_URL" | "AUTH_URL" | "TOKEN_URL" | "REVOKE_URL";

/**
 * The endpoint variables (`<ID>_API_URL`, …) the sandbox may point at loopback for a provider:
 * only those whose endpoint the catalog defines. Pointing, say, a revoke URL at a simulator for a
 * provider that has no revocation endpoint would make the sandbox revoke where production reports
 * "unsupported".
 */
export function catalogEndpoints(id: string): EndpointVariable[] {
  const oauth = findProvider(id)?.oauth;
  if (!oauth) return ["API_URL"];
  return ["API_URL", "AUTH_URL", "TOKEN_URL", ...(oauth.revokeUrl ? (["REVOKE_URL"] as const) : [])];
}
