import type { RecordedRequest } from "./simulator.ts";

/** The key a request presents, read the way the provider reads it. */
export function presentedKey(
  request: RecordedRequest,
  scheme: "bearer" | "basic-username" | { header: string },
): string {
  if (typeof scheme === "object") return request.headers[scheme.header.toLowerCase()] ?? "";
  const auth = request.headers.authorization ?? "";
  if (scheme === "bearer") return auth.replace(/^Bearer\s+/i, "");
  const encoded = auth.replace(/^Basic\s+/i, "");
  return Buffer.from(encoded, "base64").toString("utf8").split(":")[0] ?? "";
}
