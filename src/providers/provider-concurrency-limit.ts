import { findProvider } from "./catalog.ts";
import { envPrefix } from "./provider-config.ts";

/**
 * Default in-flight calls per provider across all tenants. No provider in the catalog publishes a
 * concurrency figure for its token endpoint; 25 is our own conservative choice (unconfirmed
 * against any provider's quota), overridable per provider in the catalog or the environment.
 */
export const DEFAULT_PROVIDER_CONCURRENCY = 25;

/**
 * How many calls a sweep may have in flight to one provider, all tenants together:
 * `<ID>_CONCURRENCY_LIMIT` when set to a positive integer, else the catalog's `concurrencyLimit`,
 * else the default.
 */
export function providerConcurrencyLimit(
  provider: string,
  env: Record<string, string | undefined> = {},
): number {
  const override = Number(env[`${envPrefix(provider)}_CONCURRENCY_LIMIT`]);
  if (Number.isInteger(override) && override > 0) return override;
  return findProvider(provider)?.concurrencyLimit ?? DEFAULT_PROVIDER_CONCURRENCY;
}
