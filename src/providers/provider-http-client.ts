import type { Logger } from "../observability/logger.ts";
import { timeProviderCall } from "../observability/time-provider-call.ts";

/** Default deadline of one provider HTTP call when the caller gives none. */
export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

export interface ProviderRequest {
  provider: string;
  /** What the call does, for the timing log (`token_refresh`, `probe`, `verify_webhook`). */
  operation: string;
  url: string;
  init?: RequestInit;
  timeoutMs?: number;
}

/** The one way capability code calls a provider over HTTP: timed, logged once, bounded in time. */
export interface ProviderHttpClient {
  request(call: ProviderRequest): Promise<Response>;
}

/** A client over `fetch` with a deadline per call and one timing log line per call (edge-safe). */
export function createProviderHttpClient(options: {
  logger: Logger;
  timeoutMs?: number;
}): ProviderHttpClient {
  return {
    request: (call) =>
      timeProviderCall(
        { provider: call.provider, operation: call.operation, logger: options.logger },
        async () => {
          const response = await fetch(call.url, {
            ...call.init,
            signal: AbortSignal.timeout(call.timeoutMs ?? options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS),
          });
          return {
            value: response,
            status: response.status,
            ...(response.headers.get("request-id") ? { requestId: response.headers.get("request-id")! } : {}),
          };
        },
      ),
  };
}
