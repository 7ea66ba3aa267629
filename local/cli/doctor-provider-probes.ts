import { catalog } from "../../src/providers/catalog.ts";
import { probeCredential } from "../../src/providers/probe-credential.ts";
import { envPrefix, providerConfig } from "../../src/providers/provider-config.ts";
import {
  createProviderHttpClient,
  providerTimeoutFromEnv,
} from "../../src/providers/provider-http-client.ts";

export interface ProviderProbe {
  name: string;
  run(): Promise<string>;
}

/**
 * One read-only probe per provider whose platform credential is configured (`<ID>_<FIELD>` for
 * each key field): the catalog's cheapest authenticated call, or a token mint for
 * client-credentials providers. Providers configured only per tenant are the health sweep's.
 */
export function providerProbes(env: Record<string, string | undefined> = process.env): ProviderProbe[] {
  const http = createProviderHttpClient({ timeoutMs: providerTimeoutFromEnv(env) });
  return catalog.flatMap((entry) => {
    if (entry.credentialScope === "tenant" || (!entry.probe && !entry.tokenRequest)) return [];
    const names = (entry.keyFields ?? ["api_key"]).map(
      (field) => [field, `${envPrefix(entry.id)}_${field.toUpperCase()}`] as const,
    );
    if (!names.every(([, name]) => env[name]?.trim())) return [];
    const fields = Object.fromEntries(names.map(([field, name]) => [field, env[name]!.trim()]));
    return [
      {
        name: `${entry.name} platform credential`,
        run: async () => {
          const started = performance.now();
          const result = await probeCredential(http, providerConfig(entry.id, env), fields);
          const ms = Math.round(performance.now() - started);
          if (!result.ok) {
            throw new Error(
              `${entry.name} rejected it (HTTP ${result.status}); check ${names.map(([, n]) => n).join(" and ")}`,
            );
          }
          const config = providerConfig(entry.id, env);
          const simulated = /^(127\.0\.0\.1|localhost|\[::1\])$/.test(new URL(config.apiBaseUrl).hostname);
          return `accepted by ${simulated ? `the ${entry.name} simulator` : entry.name} (HTTP ${result.status}, ${ms} ms)`;
        },
      },
    ];
  });
}
