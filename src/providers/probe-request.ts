import { fillTemplate, type ProviderConfig } from "./provider-config.ts";

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
 * The request a provider's probe makes with a credential (URL, method, auth headers, body). For
 * client-credentials providers (PayPal, Yotpo) the probe is the token request itself.
 */
export function probeRequest(
  config: ProviderConfig,
  fields: Record<string, string>,
  metadata: Record<string, unknown> = {},
): { url: string; init: RequestInit } {
  const probe = config.entry.probe!;
  const payload = body(config, fields);
  return {
    url: fillTemplate(`${config.apiBaseUrl}${probe.path}`, metadata),
    init: {
      method: probe.method,
      headers: {
        accept: "application/json",
        ...probe.headers,
        ...authHeaders(config, fields),
        ...(payload.type ? { "content-type": payload.type } : {}),
      },
      ...(payload.body ? { body: payload.body } : {}),
    },
  };
}
