import { createFairingClient, type FairingClient, type FairingClientOptions } from "../providers/fairing.ts";
import { providerConfig } from "../providers/provider-config.ts";
import type { SurveyDeps } from "./survey-deps.ts";

export type FairingClientTuning = Omit<FairingClientOptions, "baseUrl" | "http">;

/**
 * The tenant's Fairing client: its key from the credential resolver (Fairing keys are tenant
 * connections), the base URL from `FAIRING_API_URL` or the catalog, calls through the shared
 * provider HTTP client.
 */
export async function fairingClientFor(
  deps: SurveyDeps,
  tenantId: string,
  tuning: FairingClientTuning = {},
): Promise<FairingClient> {
  const apiKey = await deps.credentials.accessToken(tenantId, "fairing");
  const { apiBaseUrl } = providerConfig("fairing", deps.env);
  return createFairingClient(apiKey, { ...tuning, baseUrl: apiBaseUrl, http: deps.http });
}
