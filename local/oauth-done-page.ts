import { and, eq } from "drizzle-orm";
import { integrationConnections, tenants } from "../db/schema.ts";
import type { Db } from "../src/db/types.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * Where a finished OAuth connection lands locally when no APP_URL is set (the callback returns to
 * PUBLIC_BASE_URL, i.e. this runtime): `GET /?connected=<provider>&connectionId=<id>` answers
 * "Connected <provider> for <tenant>" instead of a 404.
 */
export async function handleOAuthDonePage(request: Request, db: Db): Promise<Response | undefined> {
  const url = new URL(request.url);
  if (url.pathname !== "/" || request.method !== "GET") return undefined;
  const provider = url.searchParams.get("connected") ?? url.searchParams.get("provider");
  const connectionId = url.searchParams.get("connectionId") ?? "";
  const error = url.searchParams.get("error");
  if (!provider) return undefined;
  let text: string;
  if (error) {
    text = `${provider} was not connected: ${error}`;
  } else {
    const [row] = UUID.test(connectionId)
      ? await db
          .select({ tenantName: tenants.name, tenantId: tenants.id })
          .from(integrationConnections)
          .innerJoin(tenants, eq(tenants.id, integrationConnections.tenantId))
          .where(
            and(eq(integrationConnections.id, connectionId), eq(integrationConnections.provider, provider)),
          )
      : [];
    text = row
      ? `Connected ${provider} for ${row.tenantName} (${row.tenantId})`
      : `No ${provider} connection ${connectionId} was found`;
  }
  const html = `<!doctype html><meta charset="utf-8"><title>Switchboard</title><h1>${escapeHtml(text)}</h1>`;
  return new Response(html, {
    status: error || text.startsWith("No ") ? 400 : 200,
    headers: { "content-type": "text/html; charset=utf-8" },
  });
}
