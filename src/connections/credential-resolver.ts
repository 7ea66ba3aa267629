import { and, eq, inArray, sql } from "drizzle-orm";
import { integrationConnections } from "../../db/schema.ts";
import { withTenant } from "../db/with-tenant.ts";
import { AppError, ConfigError, ValidationError } from "../errors.ts";
import { envPrefix, type ProviderConfig, providerConfig } from "../providers/provider-config.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import { getConnectionCredential } from "./get-access-token.ts";
import { invalidatePlatformToken, platformClientToken } from "./platform-token-cache.ts";

/** A credential to call a provider with, and where it came from. Never logged. */
export interface ResolvedCredential {
  provider: string;
  source: "tenant" | "platform";
  tenantId?: string;
  /** What to authenticate with: an access token, a minted token, or an API key. */
  token: string;
  /** Every credential field (Plaid's `client_id` + `secret`, Mux's token pair). */
  fields: Record<string, string>;
  /** Whether a new one can be had after a 401 (a minted or refreshable token, not a static key). */
  renewable: boolean;
  /** The version a 401 invalidates (a newer credential is never thrown away). */
  version: number;
}

export interface ResolveOptions {
  /** The tenant on whose behalf the call is made (required for tenant-scoped providers). */
  tenantId?: string | undefined;
}

/** Hands out credentials honouring each provider's `credentialScope`. Built once per process. */
export interface CredentialResolver {
  resolve(provider: string, options?: ResolveOptions): Promise<ResolvedCredential>;
  /** Forgets a credential the provider refused, so the next `resolve` refreshes or mints anew. */
  invalidate(credential: ResolvedCredential): Promise<void>;
  /** `resolve`, call, and on a 401 invalidate and call once more with a renewed credential. */
  withCredential<T>(
    provider: string,
    options: ResolveOptions,
    call: (credential: ResolvedCredential) => Promise<T>,
  ): Promise<T>;
}

type ResolverDeps = Pick<ConnectionDeps, "db" | "keyRing" | "env" | "http" | "notifier">;

/** `<ID>_<FIELD>` for each credential field: `PAYPAL_CLIENT_ID`, `PLAID_SECRET`, `STRIPE_API_KEY`. */
function platformFields(config: ProviderConfig, env: ResolverDeps["env"]): Record<string, string> {
  const prefix = envPrefix(config.entry.id);
  const names = config.entry.keyFields ?? ["api_key"];
  const fields: Record<string, string> = {};
  const missing: string[] = [];
  for (const field of names) {
    const name = `${prefix}_${field.toUpperCase()}`;
    const value = env[name]?.trim();
    if (value) fields[field] = value;
    else missing.push(name);
  }
  if (missing.length) {
    throw new ConfigError(`${missing.join(" and ")} must be set to use ${config.entry.name}`, {
      context: { provider: config.entry.id, variables: missing },
    });
  }
  return fields;
}

function isUnauthorized(err: unknown): boolean {
  return err instanceof AppError && (err.code === "unauthorized" || err.context.status === 401);
}

/** Whether the tenant has its own connection in use (a disconnected one falls back to the platform). */
async function hasTenantConnection(deps: ResolverDeps, tenantId: string, provider: string) {
  const [row] = await withTenant(deps.db, tenantId, (tx) =>
    tx
      .select({ id: integrationConnections.id })
      .from(integrationConnections)
      .where(
        and(
          eq(integrationConnections.tenantId, tenantId),
          eq(integrationConnections.provider, provider),
          inArray(integrationConnections.status, ["active", "error", "expired"]),
        ),
      ),
  );
  return Boolean(row);
}

/**
 * The credential resolver: `tenant` scope → the tenant's connection (refreshed or minted on
 * demand); `platform` → the platform's `<ID>_*` variables, or for client-credentials providers
 * (PayPal) a token minted through the catalog's `tokenRequest` and cached encrypted in the
 * database; `platform_or_tenant` → the tenant's own connection when it has one, else the platform's.
 */
export function createCredentialResolver(deps: ResolverDeps): CredentialResolver {
  async function fromTenant(provider: string, tenantId: string): Promise<ResolvedCredential> {
    const entry = providerConfig(provider, deps.env).entry;
    const credential = await getConnectionCredential(deps, tenantId, provider);
    return {
      provider,
      source: "tenant",
      tenantId,
      token: credential.token,
      fields: credential.fields,
      renewable: entry.refresh !== "never_expires",
      version: credential.tokenVersion,
    };
  }

  async function fromPlatform(provider: string): Promise<ResolvedCredential> {
    const config = providerConfig(provider, deps.env);
    const fields = platformFields(config, deps.env);
    if (config.entry.authKind === "client_credentials") {
      const minted = await platformClientToken(deps, config, fields);
      return {
        provider,
        source: "platform",
        token: minted.token,
        fields,
        renewable: true,
        version: minted.version,
      };
    }
    const token = fields.api_key ?? fields.access_token ?? Object.values(fields)[0]!;
    return { provider, source: "platform", token, fields, renewable: false, version: 0 };
  }

  const resolver: CredentialResolver = {
    async resolve(provider, options = {}) {
      const { entry } = providerConfig(provider, deps.env);
      const tenantId = options.tenantId;
      switch (entry.credentialScope) {
        case "tenant":
          if (!tenantId)
            throw new ValidationError(`${entry.name} needs a tenant: it uses tenants' credentials`);
          return fromTenant(provider, tenantId);
        case "platform_or_tenant":
          if (tenantId && (await hasTenantConnection(deps, tenantId, provider)))
            return fromTenant(provider, tenantId);
          return fromPlatform(provider);
        default:
          return fromPlatform(provider);
      }
    },

    async invalidate(credential) {
      if (!credential.renewable) return;
      const config = providerConfig(credential.provider, deps.env);
      if (credential.source === "platform") {
        await invalidatePlatformToken(deps, config, credential.fields, credential.version);
        return;
      }
      // The next read refreshes (OAuth) or mints (client credentials), unless a newer token exists.
      const { tenantId } = credential;
      if (!tenantId) return;
      await withTenant(deps.db, tenantId, (tx) =>
        tx.execute(sql`update integration_connections set token_expires_at = now(),
            refresh_due_at = now(), updated_at = now()
          where tenant_id = ${tenantId} and provider = ${credential.provider}
            and token_version = ${credential.version}`),
      );
    },

    async withCredential(provider, options, call) {
      const credential = await resolver.resolve(provider, options);
      try {
        return await call(credential);
      } catch (err) {
        if (!isUnauthorized(err) || !credential.renewable) throw err;
        await resolver.invalidate(credential);
        return call(await resolver.resolve(provider, options));
      }
    },
  };
  return resolver;
}
