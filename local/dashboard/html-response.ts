import type { SafeHtml } from "./html.ts";

/**
 * Headers of every dashboard response: no caching, no framing, and a content security policy
 * that only allows the dashboard's own script and stylesheet (inline markup can never run).
 */
export const SECURITY_HEADERS: Record<string, string> = {
  "content-security-policy":
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "x-frame-options": "DENY",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

/** An HTML page response, with the session cookie when the page started a session. */
export function htmlResponse(status: number, body: SafeHtml, setCookie?: string): Response {
  const headers = new Headers({ ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" });
  if (setCookie) headers.set("set-cookie", setCookie);
  return new Response(body.value, { status, headers });
}
