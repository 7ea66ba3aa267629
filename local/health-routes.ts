import type { Db } from "../src/db/types.ts";
import { isTenantId } from "../src/db/with-tenant.ts";
import { listConnectionHealth } from "../src/health/list-connection-health.ts";
import { listPlatformCredentialHealth } from "../src/health/list-platform-credential-health.ts";

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body, null, 2), { status, headers: { "content-type": "application/json" } });

/**
 * `GET /health/connections[?tenant=<id>&history=<n>]`: each connection's status, health state,
 * last check, latency, consecutive failures, error rate and last error — the document
 * `switchboard health --json` prints — with, when `history` is given, its newest checks and
 * transitions (the dashboard's timeline). Without `tenant`, `platformCredentials` holds the health of
 * the platform's own credentials (STRIPE_API_KEY, PLAID_*, PAYPAL_*…). Undefined for any other path.
 */
export async function handleHealthRoutes(request: Request, db: Db): Promise<Response | undefined> {
  const url = new URL(request.url);
  if (url.pathname !== "/health/connections" || request.method !== "GET") return undefined;
  const tenantId = url.searchParams.get("tenant") ?? undefined;
  if (tenantId !== undefined && !isTenantId(tenantId))
    return json(400, { error: "tenant must be a tenant id (UUID)" });
  const historyText = url.searchParams.get("history");
  const history = historyText === null ? 0 : Number(historyText);
  if (!Number.isInteger(history) || history < 0 || history > 100) {
    return json(400, { error: "history must be 0-100" });
  }
  const connections = await listConnectionHealth(db, { tenantId, history });
  if (tenantId) return json(200, { connections });
  return json(200, { connections, platformCredentials: await listPlatformCredentialHealth(db, { history }) });
}
