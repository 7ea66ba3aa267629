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
  const { token } = await deps.credentials.resolve("fairing", { tenantId });
  const { apiBaseUrl } = providerConfig("fairing", deps.env);
  return createFairingClient(token, { ...tuning, baseUrl: apiBaseUrl, http: deps.http });
}
