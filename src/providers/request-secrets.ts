import { isSecretKey, REDACTED } from "../observability/redact.ts";
import type { ProviderRequest } from "./provider-http-client.ts";

/** Shorter values (empty passwords, flags) are left alone: replacing them would mangle text. */
const MIN_SECRET_LENGTH = 6;

function fromAuthorization(value: string): string[] {
  const [scheme, token = ""] = value.trim().split(/\s+/, 2);
  if (scheme?.toLowerCase() !== "basic") return [token];
  let plain: string;
  try {
    plain = atob(token);
  } catch {
    return [token];
  }
  const colon = plain.indexOf(":");
  return colon < 0 ? [token, plain] : [token, plain.slice(0, colon), plain.slice(colon + 1)];
}

function fromPairs(pairs: Iterable<[string, unknown]>): string[] {
  return [...pairs]
    .filter(([key, v]) => isSecretKey(key) && typeof v === "string")
    .map(([, v]) => v as string);
}

function fromBody(body: ProviderRequest["body"]): string[] {
  if (body === undefined) return [];
  if (body instanceof URLSearchParams) return fromPairs(body);
  try {
    const json: unknown = JSON.parse(body);
    if (json && typeof json === "object") return fromPairs(Object.entries(json));
  } catch {
    return fromPairs(new URLSearchParams(body));
  }
  return [];
}

/**
 * The secrets a request carries (an Authorization header's token, Basic's user and password,
 * secret-named headers, query parameters and body fields), for taking out of what the provider
 * answered: some error bodies echo the key they refused, and that text reaches logs, stored
 * errors and alerts.
 */
export function requestSecrets(request: ProviderRequest): string[] {
  const headers = Object.entries(request.headers ?? {});
  const found = [
    ...headers.filter(([k]) => k.toLowerCase() === "authorization").flatMap(([, v]) => fromAuthorization(v)),
    ...fromPairs(headers),
    ...fromPairs(new URL(request.url).searchParams),
    ...fromBody(request.body),
  ];
  return [...new Set(found)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` with every one of `secrets` replaced by `[redacted]`. */
export function withoutSecrets(text: string, secrets: string[]): string {
  return secrets.reduce((out, secret) => out.split(secret).join(REDACTED), text);
}
