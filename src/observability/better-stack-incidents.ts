import { classifyHttpFailure, type ProviderHttpClient } from "../providers/provider-http-client.ts";

/** Opens and resolves Better Stack incidents (pages on-call) for alerts. */
export interface IncidentClient {
  /** Opens an incident; returns its id. Throws when Better Stack refuses (the caller retries). */
  open(input: { name: string; summary: string; description?: string }): Promise<string>;
  /** Resolves an incident; one already resolved (409) counts as resolved. */
  resolve(incidentId: string): Promise<void>;
}

export interface BetterStackIncidentOptions {
  http: ProviderHttpClient;
  /** Better Stack Uptime team API token (`BETTER_STACK_API_TOKEN`). */
  token: string;
  /** `https://uptime.betterstack.com/api` unless `BETTER_STACK_API_URL` overrides it. */
  apiUrl: string;
  /** Required by the incidents API: who reported it (`BETTER_STACK_REQUESTER_EMAIL`). */
  requesterEmail: string;
}

/**
 * Better Stack incidents over REST: `POST /v2/incidents` and `POST /v2/incidents/{id}/resolve`
 * (JSON:API answers). The API has no idempotency key, so callers open one incident per recorded
 * transition and keep its id next to it.
 */
export function createBetterStackIncidents(options: BetterStackIncidentOptions): IncidentClient {
  const headers = { authorization: `Bearer ${options.token}`, "content-type": "application/json" };
  return {
    async open(input) {
      const response = await options.http.request({
        provider: "better_stack",
        operation: "incidents.create",
        url: `${options.apiUrl}/v2/incidents`,
        method: "POST",
        headers,
        body: JSON.stringify({ requester_email: options.requesterEmail, ...input }),
        timeoutMs: 5_000,
      });
      const id = (response.json as { data?: { id?: unknown } } | undefined)?.data?.id;
      return String(id);
    },
    async resolve(incidentId) {
      await options.http.request({
        provider: "better_stack",
        operation: "incidents.resolve",
        url: `${options.apiUrl}/v2/incidents/${encodeURIComponent(incidentId)}/resolve`,
        method: "POST",
        headers,
        body: JSON.stringify({ resolved_by: options.requesterEmail }),
        timeoutMs: 5_000,
        failure: (answer) =>
          answer.status === 409 ? undefined : classifyHttpFailure("better_stack", answer),
      });
    },
  };
}

/** The incident client when `BETTER_STACK_API_TOKEN` is set (`BETTER_STACK_API_URL` overrides the host). */
export function betterStackIncidentsFromEnv(
  http: ProviderHttpClient,
  env: Record<string, string | undefined>,
): IncidentClient | undefined {
  const token = env.BETTER_STACK_API_TOKEN?.trim();
  if (!token) return undefined;
  return createBetterStackIncidents({
    http,
    token,
    apiUrl: (env.BETTER_STACK_API_URL?.trim() || "https://uptime.betterstack.com/api").replace(/\/+$/, ""),
    requesterEmail: env.BETTER_STACK_REQUESTER_EMAIL?.trim() || "alerts@switchboard.invalid",
  });
}
