import { NotFoundError } from "../errors.ts";
import { catalog, findProvider } from "./catalog.ts";
import type { CatalogEntry } from "./catalog-types.ts";

export interface ProviderConfig {
  entry: CatalogEntry;
  clientId: string | undefined;
  clientSecret: string | undefined;
  apiKey: string | undefined;
  webhookSecret: string | undefined;
  authorizeUrl: string | undefined;
  tokenUrl: string | undefined;
  revokeUrl: string | undefined;
  apiBaseUrl: string;
}

type Env = Record<string, string | undefined>;

/** `google_ads` → `GOOGLE_ADS`: the prefix of a provider's environment variables. */
export const envPrefix = (id: string): string => id.toUpperCase();

function read(env: Env, name: string): string | undefined {
  const value = env[name]?.trim();
  return value ? value : undefined;
}

/** Replaces `{name}` placeholders (Shopify's `{shop}`) from connection metadata. */
export function fillTemplate(url: string, values: Record<string, unknown>): string {
  return url.replace(/\{(\w+)\}/g, (_m, key: string) => {
    const value = values[key];
    if (typeof value !== "string" || !value) throw new NotFoundError(`Missing "${key}" for ${url}`);
    return encodeURIComponent(value).replace(/%2E/gi, ".");
  });
}

/**
 * A provider's catalog entry with its platform credentials and endpoints from the environment:
 * `<ID>_CLIENT_ID`, `<ID>_CLIENT_SECRET`, `<ID>_API_KEY`, `<ID>_WEBHOOK_SECRET`,
 * and `<ID>_AUTH_URL`, `<ID>_TOKEN_URL`, `<ID>_REVOKE_URL`, `<ID>_API_URL` overrides.
 */
export function providerConfig(id: string, env: Env = globalThis.process?.env ?? {}): ProviderConfig {
  const entry = findProvider(id);
  if (!entry) {
    throw new NotFoundError(
      `Unknown provider "${id}"; the providers are ${catalog.map((e) => e.id).join(", ")}`,
      { context: { provider: id } },
    );
  }
  const prefix = envPrefix(id);
  return {
    entry,
    clientId: read(env, `${prefix}_CLIENT_ID`),
    clientSecret: read(env, `${prefix}_CLIENT_SECRET`),
    apiKey: read(env, `${prefix}_API_KEY`),
    webhookSecret: read(env, `${prefix}_WEBHOOK_SECRET`),
    authorizeUrl: read(env, `${prefix}_AUTH_URL`) ?? entry.oauth?.authorizeUrl,
    tokenUrl: read(env, `${prefix}_TOKEN_URL`) ?? entry.oauth?.tokenUrl,
    revokeUrl: read(env, `${prefix}_REVOKE_URL`) ?? entry.oauth?.revokeUrl,
    apiBaseUrl: (read(env, `${prefix}_API_URL`) ?? entry.apiBaseUrl).replace(/\/+$/, ""),
  };
}
