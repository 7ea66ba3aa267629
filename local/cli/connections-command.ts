import type { Command } from "commander";
import type { Db } from "../../src/db/types.ts";
import { requireId, requireTenant } from "./ids.ts";
import { cliIo, emit, fail, table } from "./output.ts";
import { withDb } from "./with-db.ts";

/** `key=value` pairs (`--field app_key=… --field secret_key=…`). */
function collect(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf("=");
  return at > 0 ? { ...previous, [value.slice(0, at)]: value.slice(at + 1) } : previous;
}

async function context(db: Db) {
  const { localDeps } = await import("../local-deps.ts");
  // Inside a running `npm start`, callbacks go to its real URL (PORT may be 0 there).
  return localDeps(db, { publicBaseUrl: process.env.PUBLIC_BASE_URL?.trim() || cliIo().runtime?.url });
}

const connectionId = (id: string) => requireId(id, "connection", "switchboard connections list");

export function registerConnectionsCommand(program: Command): void {
  const connections = program.command("connections").description("tenants' integration connections");
  connections
    .command("list")
    .option("--tenant <id>", "only this tenant's connections")
    .option("--json", "print JSON")
    .action(async (opts: { tenant?: string; json?: boolean }) => {
      const { listConnections } = await import("../../src/connections/list-connections.ts");
      const { connectionView } = await import("../../src/connections/connection-row.ts");
      if (opts.tenant) requireId(opts.tenant, "tenant", "switchboard tenants list");
      const rows = (await withDb((h) => listConnections(h.db, { tenantId: opts.tenant }))).map(
        connectionView,
      );
      emit(opts.json, rows, () =>
        table(rows, ["id", "tenantId", "provider", "status", "tokenExpiresAt", "lastError"]),
      );
    });
  connections
    .command("connect-key <tenantId> <provider>")
    .description("validate a key with the provider, then store it encrypted")
    .option("--key <key>", "the API key")
    .option("--field <name=value>", "another credential field (repeatable)", collect, {})
    .option("--json", "print JSON")
    .action(
      async (
        tenantId: string,
        provider: string,
        opts: { key?: string; field: Record<string, string>; json?: boolean },
      ) => {
        const { connectApiKey } = await import("../../src/connections/connect-api-key.ts");
        const fields = { ...opts.field, ...(opts.key ? { api_key: opts.key } : {}) };
        const result = await withDb(async (h) => {
          await requireTenant(h.db, tenantId);
          return connectApiKey((await context(h.db)).deps, { tenantId, provider, fields });
        });
        emit(
          opts.json,
          result,
          () => `Connected ${provider} for tenant ${tenantId} (connection ${result.connectionId})`,
        );
      },
    );
  connections
    .command("oauth-url <tenantId> <provider>")
    .description("print the URL that starts an OAuth connection")
    .option("--return-url <url>", "where to send the user afterwards")
    .option("--shop <domain>", "Shopify: the shop's myshopify.com domain")
    .option("--json", "print JSON")
    .action(
      async (
        tenantId: string,
        provider: string,
        opts: { returnUrl?: string; shop?: string; json?: boolean },
      ) => {
        const { startOAuth } = await import("../../src/connections/start-oauth.ts");
        const result = await withDb(async (h) => {
          await requireTenant(h.db, tenantId);
          const { deps, oauth } = await context(h.db);
          return startOAuth(deps, oauth, {
            tenantId,
            provider,
            returnUrl: opts.returnUrl,
            ...(opts.shop ? { metadata: { shop: opts.shop } } : {}),
          });
        });
        emit(opts.json, { url: result.url, expiresAt: result.expiresAt.toISOString() }, () => result.url);
      },
    );
  connections
    .command("disconnect <connectionId>")
    .description("revoke where supported, wipe credentials, mark disconnected")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { json?: boolean }) => {
      const { disconnectConnection } = await import("../../src/connections/disconnect-connection.ts");
      const result = await withDb(async (h) =>
        disconnectConnection((await context(h.db)).deps, connectionId(id)),
      );
      emit(opts.json, result, () => `Disconnected ${id} (revocation: ${result.revocation})`);
    });
  connections
    .command("refresh <connectionId>")
    .description("refresh the connection's token now")
    .option("--json", "print JSON")
    .action(async (id: string, opts: { json?: boolean }) => {
      const { refreshConnectionById } = await import("../../src/connections/refresh-connection-by-id.ts");
      const result = await withDb(async (h) =>
        refreshConnectionById((await context(h.db)).deps, connectionId(id), { force: true }),
      );
      emit(opts.json, result, () => `${id}: ${result.outcome}`);
      if (result.outcome === "expired" || result.outcome === "error") fail();
    });
}
