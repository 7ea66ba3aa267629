import { AppError } from "../errors.ts";
import { type Logger, logger as rootLogger } from "./logger.ts";

export interface ProviderCallInfo {
  provider: string;
  operation: string;
  logger?: Logger;
}

export interface ProviderCallResult<T> {
  value: T;
  status?: number;
  requestId?: string;
}

function statusOf(err: unknown): number | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } };
  const candidate = e.status ?? e.statusCode ?? e.response?.status;
  return typeof candidate === "number" ? candidate : undefined;
}

function requestIdOf(err: unknown): string | undefined {
  if (typeof err !== "object" || err === null) return undefined;
  const e = err as { requestId?: unknown; request_id?: unknown; context?: { requestId?: unknown } };
  const candidate = e.requestId ?? e.request_id ?? e.context?.requestId;
  return typeof candidate === "string" ? candidate : undefined;
}

/**
 * Times one provider call and logs it exactly once with
 * `{provider, operation, status, duration_ms, request_id, retryable}`.
 * `call` returns the value plus the HTTP status and request id when it knows them.
 */
export async function timeProviderCall<T>(
  info: ProviderCallInfo,
  call: () => Promise<ProviderCallResult<T>>,
): Promise<T> {
  const log = info.logger ?? rootLogger;
  const started = performance.now();
  try {
    const result = await call();
    log.info("provider call", {
      provider: info.provider,
      operation: info.operation,
      status: result.status ?? "ok",
      duration_ms: Math.round(performance.now() - started),
      request_id: result.requestId ?? null,
      retryable: false,
    });
    return result.value;
  } catch (err) {
    log.warn("provider call", {
      provider: info.provider,
      operation: info.operation,
      status: statusOf(err) ?? "error",
      duration_ms: Math.round(performance.now() - started),
      request_id: requestIdOf(err) ?? null,
      retryable: err instanceof AppError ? err.retryable : null,
      err,
    });
    throw err;
  }
}
