import { ConfigError, UnavailableError, ValidationError } from "../errors.ts";
import { probeRequest, tokenRequest } from "./probe-request.ts";
import type { ProviderConfig } from "./provider-config.ts";
import type { ProviderHttpClient } from "./provider-http-client.ts";

export interface ProbeResult {
  ok: boolean;
  status: number;
}

/**
 * Calls the provider's cheapest authenticated endpoint with a credential (for client-credentials
 * providers without a probe: mints a token). 2xx → valid; 400/401/403 → the provider rejected it;
 * anything else (429, 5xx, network) → UnavailableError, because "we could not check" must never
 * be read as "the key is bad" (or good).
 */
export async function probeCredential(
  http: ProviderHttpClient,
  config: ProviderConfig,
  fields: Record<string, string>,
  metadata: Record<string, unknown> = {},
): Promise<ProbeResult> {
  const { entry } = config;
  if (!entry.probe && !entry.tokenRequest) throw new ConfigError(`${entry.name} has no probe`);
  const { url, init } = entry.probe
    ? probeRequest(config, fields, metadata)
    : tokenRequest(config, fields, metadata);
  const response = await http
    .request({
      provider: entry.id,
      operation: "probe",
      url,
      ...init,
      failure: (answer) =>
        answer.ok || [400, 401, 403].includes(answer.status)
          ? undefined
          : new UnavailableError(
              `${entry.name} could not validate the credential now (HTTP ${answer.status})`,
              { context: { provider: entry.id, status: answer.status } },
            ),
    })
    .catch((err: unknown) => {
      if (err instanceof UnavailableError) throw err;
      throw new UnavailableError(`${entry.name} could not be reached to validate the credential`, {
        cause: err,
        context: { provider: entry.id },
      });
    });
  return { ok: response.ok, status: response.status };
}

export function assertProbeOk(config: ProviderConfig, result: ProbeResult): void {
  if (!result.ok) {
    throw new ValidationError(
      `${config.entry.name} rejected the credential (HTTP ${result.status}); nothing was stored`,
      {
        context: { provider: config.entry.id, status: result.status },
      },
    );
  }
}
