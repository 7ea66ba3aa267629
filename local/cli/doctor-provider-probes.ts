import {
  platformCredentialProviders,
  platformCredentialVariables,
} from "../../src/health/platform-credential-providers.ts";
import { probeCredential } from "../../src/providers/probe-credential.ts";
import { providerConfig } from "../../src/providers/provider-config.ts";
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
 * client-credentials providers (the health sweep probes the same ones every 5 minutes).
 */
export function providerProbes(env: Record<string, string | undefined> = process.env): ProviderProbe[] {
  const http = createProviderHttpClient({ timeoutMs: providerTimeoutFromEnv(env) });
  // The same credentials every health sweep probes (docs/decisions/022), on demand.
  return platformCredentialProviders(env).map((entry) => {
    const variables = platformCredentialVariables(entry);
    const names = (entry.keyFields ?? ["api_key"]).map((field, i) => [field, variables[i]!] as const);
    const fields = Object.fromEntries(names.map(([field, name]) => [field, env[name]!.trim()]));
    return {
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
    };
  });
}
