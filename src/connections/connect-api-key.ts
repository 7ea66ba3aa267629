import { assertTenantId, withTenant } from "../db/with-tenant.ts";
import { ValidationError } from "../errors.ts";
import { assertProbeOk, probeCredential } from "../providers/probe-credential.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { announceReconnect } from "./announce-reconnect.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import { saveConnection } from "./save-connection.ts";

export interface ConnectApiKeyInput {
  tenantId: string;
  provider: string;
  /** The credential fields (`api_key`, or e.g. `app_key` + `secret_key`). */
  fields: Record<string, string>;
  metadata?: Record<string, string> | undefined;
}

/**
 * Connects a key-based integration: the key is validated with the provider's probe first; an
 * invalid key gives a clear error and stores nothing.
 */
export async function connectApiKey(
  deps: ConnectionDeps,
  input: ConnectApiKeyInput,
): Promise<{ connectionId: string }> {
  assertTenantId(input.tenantId);
  const config = providerConfig(input.provider, deps.env);
  const entry = config.entry;
  if (entry.authKind === "oauth2") throw new ValidationError(`${entry.name} connects with OAuth, not a key`);
  if (entry.credentialScope === "platform") {
    throw new ValidationError(
      `${entry.name} uses the platform's credentials (${input.provider.toUpperCase()}_*), not a tenant's`,
    );
  }
  const required = entry.keyFields ?? ["api_key"];
  const missing = required.filter((field) => !input.fields[field]?.trim());
  if (missing.length)
    throw new ValidationError(`Missing credential field(s) for ${entry.name}: ${missing.join(", ")}`);
  const allowed = [...required, ...(entry.optionalKeyFields ?? [])];
  const fields = Object.fromEntries(
    allowed
      .filter((field) => input.fields[field]?.trim())
      .map((field) => [field, input.fields[field]!.trim()]),
  );
  const probeFields = Object.fromEntries(required.map((field) => [field, fields[field]!]));
  assertProbeOk(config, await probeCredential(deps.http, config, probeFields, input.metadata));
  const saved = await withTenant(deps.db, input.tenantId, (tx) =>
    saveConnection(tx, deps.keyRing, {
      tenantId: input.tenantId,
      provider: input.provider,
      credentials: fields,
      metadata: { ...input.metadata, connectedVia: "api_key" },
    }),
  );
  await announceReconnect(deps, input, saved);
  return { connectionId: saved.id };
}
