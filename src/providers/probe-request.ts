import { ConfigError } from "../errors.ts";
import type { ProbeSpec, TokenRequestSpec } from "./catalog-types.ts";
import { fillTemplate, type ProviderConfig } from "./provider-config.ts";

type RequestSpec = ProbeSpec | TokenRequestSpec;

function authHeaders(spec: RequestSpec, fields: Record<string, string>): Record<string, string> {
  const key = fields.access_token ?? fields.api_key ?? "";
  switch (spec.auth.scheme) {
    case "bearer":
      return { authorization: `Bearer ${key}` };
    case "header":
      return { [spec.auth.name]: `${spec.auth.prefix ?? ""}${key}` };
    case "basic": {
      const user = fields[spec.auth.usernameField ?? "api_key"] ?? "";
      const password = spec.auth.passwordField ? (fields[spec.auth.passwordField] ?? "") : "";
      return { authorization: `Basic ${btoa(`${user}:${password}`)}` };
    }
    default:
      return {};
  }
}

function body(spec: RequestSpec, fields: Record<string, string>): { body?: string; type?: string } {
  if (!spec.body && !spec.bodyFields) return {};
  const values: Record<string, unknown> = { ...spec.body };
  for (const [name, field] of Object.entries(spec.bodyFields ?? {})) values[name] = fields[field];
  if (spec.form) {
    return {
      body: new URLSearchParams(Object.entries(values).map(([k, v]) => [k, String(v)])).toString(),
      type: "application/x-www-form-urlencoded",
    };
  }
  return { body: JSON.stringify(values), type: "application/json" };
}

export interface BuiltRequest {
  url: string;
  init: { method: string; headers: Record<string, string>; body?: string };
}

function build(
  config: ProviderConfig,
  spec: RequestSpec,
  fields: Record<string, string>,
  metadata: Record<string, unknown>,
): BuiltRequest {
  const payload = body(spec, fields);
  return {
    url: fillTemplate(`${config.apiBaseUrl}${spec.path}`, metadata),
    init: {
      method: spec.method,
      headers: {
        accept: "application/json",
        ...spec.headers,
        ...authHeaders(spec, fields),
        ...(payload.type ? { "content-type": payload.type } : {}),
      },
      ...(payload.body ? { body: payload.body } : {}),
    },
  };
}

/** The request a provider's probe makes with a credential (URL, method, auth headers, body). */
export function probeRequest(
  config: ProviderConfig,
  fields: Record<string, string>,
  metadata: Record<string, unknown> = {},
): BuiltRequest {
  if (!config.entry.probe) throw new ConfigError(`${config.entry.name} has no probe`);
  return build(config, config.entry.probe, fields, metadata);
}

/** The client-credentials token request of a provider (PayPal, Yotpo), from its key fields. */
export function tokenRequest(
  config: ProviderConfig,
  fields: Record<string, string>,
  metadata: Record<string, unknown> = {},
): BuiltRequest {
  if (!config.entry.tokenRequest) throw new ConfigError(`${config.entry.name} has no token request`);
  return build(config, config.entry.tokenRequest, fields, metadata);
}
