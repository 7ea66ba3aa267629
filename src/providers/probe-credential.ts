import { ConfigError, UnavailableError, ValidationError } from "../errors.ts";
import { timeProviderCall } from "../observability/time-provider-call.ts";
import { networkError } from "./classify-oauth-error.ts";
import { probeRequest } from "./probe-request.ts";
import type { ProviderConfig } from "./provider-config.ts";

export interface ProbeResult {
  ok: boolean;
  status: number;
}

/**
 * Calls the provider's cheapest authenticated endpoint with a credential. 2xx → valid;
 * 400/401/403 → the provider rejected it; anything else (429, 5xx, network) → UnavailableError,
 * because "we could not check" must never be read as "the key is bad" (or good).
 */
export async function probeCredential(
  config: ProviderConfig,
  fields: Record<string, string>,
  metadata: Record<string, unknown> = {},
): Promise<ProbeResult> {
  if (!config.entry.probe) throw new ConfigError(`${config.entry.name} has no probe`);
  const { url, init } = probeRequest(config, fields, metadata);
  return timeProviderCall<ProbeResult>({ provider: config.entry.id, operation: "probe" }, async () => {
    let response: Response;
    try {
      response = await fetch(url, { ...init, signal: AbortSignal.timeout(10_000) });
    } catch (err) {
      throw networkError(config.entry.id, err);
    }
    await response.body?.cancel();
    const requestId = response.headers.get("x-request-id") ?? undefined;
    if (response.ok)
      return {
        value: { ok: true, status: response.status },
        status: response.status,
        ...(requestId ? { requestId } : {}),
      };
    if ([400, 401, 403].includes(response.status)) {
      return { value: { ok: false, status: response.status }, status: response.status };
    }
    throw new UnavailableError(
      `${config.entry.name} could not validate the credential now (HTTP ${response.status})`,
      {
        context: { provider: config.entry.id, status: response.status },
      },
    );
  });
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
