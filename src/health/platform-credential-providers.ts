import { catalog } from "../providers/catalog.ts";
import type { CatalogEntry } from "../providers/catalog-types.ts";
import { envPrefix } from "../providers/provider-config.ts";

/** The variables holding a provider's platform credential: `<ID>_<FIELD>` for each key field. */
export function platformCredentialVariables(entry: CatalogEntry): string[] {
  return (entry.keyFields ?? ["api_key"]).map((field) => `${envPrefix(entry.id)}_${field.toUpperCase()}`);
}

/**
 * The providers whose platform credential is configured and can be probed: scope `platform` or
 * `platform_or_tenant`, a probe that spends no scarce quota (or a client-credentials token
 * request), and every `<ID>_<FIELD>` variable set (STRIPE_API_KEY; PLAID_CLIENT_ID and
 * PLAID_SECRET; PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET; ELEVENLABS_API_KEY…).
 */
export function platformCredentialProviders(env: Record<string, string | undefined>): CatalogEntry[] {
  return catalog.filter(
    (entry) =>
      entry.credentialScope !== "tenant" &&
      ((entry.probe && !entry.probe.scarce) || (!entry.probe && entry.tokenRequest)) &&
      platformCredentialVariables(entry).every((name) => env[name]?.trim()),
  );
}
