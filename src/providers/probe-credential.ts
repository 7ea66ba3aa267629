import { ConfigError, UnavailableError, ValidationError } from "../errors.ts";
import { timeProviderCall } from "../observability/time-provider-call.ts";
import { networkError } from "./classify-oauth-error.ts";
import { fillTemplate, type ProviderConfig } from "./provider-config.ts";

export interface ProbeResult {
  ok: boolean;
  status: number;
}

function authHeaders(config: ProviderConfig, fields: Record<string, string>): Record<string, string> {
  const probe = config.entry.probe!;
  const key = fields.access_token ?? fields.api_key ?? "";
  switch (probe.auth.scheme) {
    case "bearer":
      return { authorization: `Bearer ${key}` };
    case "header":
      return { [probe.auth.name]: `${probe.auth.prefix ?? ""}${key}` };
    case "basic": {
      const user = fields[probe.auth.usernameField ?? "api_key"] ?? "";
      const password = probe.auth.passwordField ? (fields[probe.auth.passwordField] ?? "") : "";
      return { authorization: `Basic ${btoa(`${user}:${password}`)}` };
    }
    default:
      return {};
  }
}

function body(config: ProviderConfig, fields: Record<string, string>): { body?: string; type?: string } {
  const probe = config.entry.probe!;
  if (!probe.body && !probe.bodyFields) return {};
  const values: Record<string, unknown> = { ...probe.body };
  for (const [name, field] of Object.entries(probe.bodyFields ?? {})) values[name] = fields[field];
  if (probe.form) {
    return {
      body: new URLSearchParams(Object.entries(values).map(([k, v]) => [k, String(v)])).toString(),
      type: "application/x-www-form-urlencoded",
    };
  }
  return { body: JSON.stringify(values), type: "application/json" };
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
  const probe = config.entry.probe;
  if (!probe) throw new ConfigError(`${config.entry.name} has no probe`);
  const url = fillTemplate(`${config.apiBaseUrl}${probe.path}`, metadata);
  const payload = body(config, fields);
  return timeProviderCall<ProbeResult>({ provider: config.entry.id, operation: "probe" }, async () => {
    let response: Response;
    try {
      response = await fetch(url, {
        method: probe.method,
        headers: {
          accept: "application/json",
          ...probe.headers,
          ...authHeaders(config, fields),
          ...(payload.type ? { "content-type": payload.type } : {}),
        },
        ...(payload.body ? { body: payload.body } : {}),
        signal: AbortSignal.timeout(10_000),
      });
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
