import { AppError, httpStatusFor } from "../errors.ts";

export const jsonResponse = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

/** An error as a response through the one code → status table; 5xx never leaks internals. */
export function errorResponse(err: unknown): Response {
  const status = httpStatusFor(err);
  const message = err instanceof AppError && status < 500 ? err.message : "Internal error";
  return jsonResponse(status, { error: message, ...(err instanceof AppError ? { code: err.code } : {}) });
}
