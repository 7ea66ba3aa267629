import { AppError, describeError } from "../errors.ts";

/**
 * Why a call with a connection's credential failed, as the status machine and alerts see it:
 * - `auth`: the credential is dead (401, invalid_grant, revoked) — the tenant must reconnect;
 * - `permission`: the credential works but lacks a scope or role (403);
 * - `rate_limited`: the provider throttled us (429) — says nothing about the credential;
 * - `provider_down`: 5xx, timeout, network — the provider, not the connection;
 * - `config`: our side (missing platform keys, unknown endpoint, a request the provider refuses).
 */
export type FailureClass = "auth" | "permission" | "rate_limited" | "provider_down" | "config";

export interface ClassifiedFailure {
  failureClass: FailureClass;
  /** `code: message`, secret-free (stored as `last_error` and shown to people). */
  reason: string;
  httpStatus: number | undefined;
}

function statusOf(err: AppError): number | undefined {
  const status = err.context.status;
  return typeof status === "number" ? status : undefined;
}

function classOf(err: AppError, status: number | undefined): FailureClass {
  if (err.reauthRequired || err.code === "unauthorized" || status === 401) return "auth";
  if (err.code === "forbidden" || status === 403) return "permission";
  if (err.code === "rate_limited" || status === 429) return "rate_limited";
  if (
    err.retryable ||
    ["provider_unavailable", "provider_timeout", "network_error", "unavailable"].includes(err.code) ||
    (status !== undefined && (status === 408 || status >= 500))
  ) {
    return "provider_down";
  }
  return "config";
}

/** Classifies any thrown value; unknown errors count as our configuration (never as "down"). */
export function classifyConnectionFailure(err: unknown): ClassifiedFailure {
  if (err instanceof AppError) {
    const httpStatus = statusOf(err);
    return { failureClass: classOf(err, httpStatus), reason: `${err.code}: ${err.message}`, httpStatus };
  }
  return { failureClass: "config", reason: describeError(err).message, httpStatus: undefined };
}
