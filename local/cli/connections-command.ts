import type { Command } from "commander";
import { connectApiKey } from "../../src/connections/connect-api-key.ts";
import { connectionView } from "../../src/connections/connection-row.ts";
import { disconnectConnection } from "../../src/connections/disconnect-connection.ts";
import { listConnections } from "../../src/connections/list-connections.ts";
import { refreshConnectionToken } from "../../src/connections/refresh-connection-token.ts";
import { startOAuth } from "../../src/connections/start-oauth.ts";
import { localDeps } from "../local-deps.ts";
import { emit, table } from "./output.ts";
import { withDb } from "./with-db.ts";

/** `key=value` pairs (`--field app_key=… --field secret_key=…`). */
function collect(value: string, previous: Record<string, string>): Record<string, string> {
  const at = value.indexOf("=");
  return at > 0 ? { ...previous, [value.slice(0, at)]: value.slice(at + 1) } : previous;
}

export function registerConnectionsCommand(program: Command): void {
  const connections = program.command("connections").description("tenants' integration connections");
  connections
    .command("list")
    .option("--tenant <id>", "only this tenant's connections")
    .option("--json", "print JSON")
    .action(async (opts: { tenant?: string; json?: boolean }) => {
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
        const fields = { ...opts.field, ...(opts.key ? { api_key: opts.key } : {}) };
        const result = await withDb(async (h) =>
          connectApiKey((await localDeps(h.db)).deps, { tenantId, provider, fields }),
        );
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
        const result = await withDb(async (h) => {
          const { deps, oauth } = await localDeps(h.db);
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
    .action(async (connectionId: string, opts: { json?: boolean }) => {
      const result = await withDb(async (h) =>
        disconnectConnection((await localDeps(h.db)).deps, connectionId),
      );
      emit(opts.json, result, () => `Disconnected ${connectionId} (revocation: ${result.revocation})`);
    });
  connections
    .command("refresh <connectionId>")
    .description("refresh the connection's token now")
    .option("--json", "print JSON")
    .action(async (connectionId: string, opts: { json?: boolean }) => {
      const result = await withDb(async (h) =>
        refreshConnectionToken((await localDeps(h.db)).deps, connectionId, { force: true }),
      );
      emit(opts.json, result, () => `${connectionId}: ${result.outcome}`);
      if (result.outcome === "expired" || result.outcome === "error") process.exitCode = 1;
    });
}
