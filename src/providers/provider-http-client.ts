import { type AppError, ProviderError } from "../errors.ts";
import type { Logger } from "../observability/logger.ts";
import { timeProviderCall } from "../observability/time-provider-call.ts";
import { requestSecrets, withoutSecrets } from "./request-secrets.ts";
import { parseRetryAfter } from "./retry-after.ts";

/** What a provider answered, body already read (the connection is never left open). */
export interface ProviderResponse {
  status: number;
  ok: boolean;
  headers: Headers;
  text: string;
  /** The body parsed as JSON; `undefined` when it is empty or not JSON. */
  json: unknown;
  requestId: string | undefined;
}

export interface ProviderRequest {
  provider: string;
  /** A short name for logs (`oauth.refresh`, `probe`, `webhook.verify`). */
  operation: string;
  url: string;
  method?: string;
  headers?: Record<string, string>;
  body?: string | URLSearchParams;
  /** Lowers the client's timeout for this call (webhook verification answers within seconds). */
  timeoutMs?: number;
  /**
   * Decides an answer's fate: an error to throw, or undefined to accept it. Default
   * (`classifyHttpFailure`): 2xx accepted, anything else classified by status.
   */
  failure?: (response: ProviderResponse) => AppError | undefined;
}

/** The one way `src/` calls a provider over HTTP: timeout, timing log, error classification. */
export interface ProviderHttpClient {
  request(request: ProviderRequest): Promise<ProviderResponse>;
}

export interface ProviderHttpOptions {
  /** Default timeout of every call (`PROVIDER_TIMEOUT_MS`, 10 s unless set). */
  timeoutMs?: number;
  logger?: Logger;
  /** The fetch implementation (an edge runtime's, or a test's recording wrapper). */
  fetch?: typeof fetch;
}

export const DEFAULT_PROVIDER_TIMEOUT_MS = 10_000;

/** The timeout configured by `PROVIDER_TIMEOUT_MS` (milliseconds); an unusable value falls back to 10 s. */
export function providerTimeoutFromEnv(env: Record<string, string | undefined>): number {
  const value = Number(env.PROVIDER_TIMEOUT_MS);
  return Number.isInteger(value) && value >= 100 && value <= 120_000 ? value : DEFAULT_PROVIDER_TIMEOUT_MS;
}

const REQUEST_ID_HEADERS = [
  "x-request-id",
  "request-id",
  "paypal-debug-id",
  "x-fb-trace-id",
  "x-amzn-requestid",
];

function describe(response: ProviderResponse): string {
  const body = response.json as
    | { error?: unknown; message?: unknown; error_description?: unknown; error_message?: unknown }
    | undefined;
  // Stripe nests its error (`{error: {message}}`); Plaid says `error_message`.
  const nested = (body?.error as { message?: unknown } | null | undefined)?.message;
  const detail = [body?.error, body?.error_description, body?.message, body?.error_message, nested].find(
    (v) => typeof v === "string",
  );
  // The provider's text ends up in terminals (`switchboard health`) and alerts: no control
  // characters (an ANSI escape could rewrite or hide what the operator reads).
  const text = String(detail ?? "")
    .replace(/\p{Cc}+/gu, " ")
    .slice(0, 200);
  return detail ? `HTTP ${response.status}: ${text}` : `HTTP ${response.status}`;
}

/**
 * The error taxonomy of a provider answer: 401 → `unauthorized` (re-authentication required),
 * 403 → `forbidden`, 404 → `not_found`, 409 → `conflict` (retryable: a concurrent request holds
 * the resource), 408/429 → retryable (`rate_limited` for 429), 5xx → `provider_unavailable`
 * (retryable); `Retry-After` (seconds or HTTP date) becomes `retryAfterMs`. Other 4xx are
 * `provider_rejected`, not retryable. Undefined for 2xx.
 */
export function classifyHttpFailure(provider: string, response: ProviderResponse): AppError | undefined {
  const { status } = response;
  if (status >= 200 && status < 300) return undefined;
  const retryAfterMs = parseRetryAfter(response.headers.get("retry-after"));
  const context = { status, ...(response.requestId ? { requestId: response.requestId } : {}) };
  const detail = describe(response);
  const fail = (code: string, retryable: boolean, extra: { reauthRequired?: boolean } = {}) =>
    new ProviderError(provider, code, `${provider} answered ${detail}`, {
      retryable,
      ...(retryable && retryAfterMs !== undefined ? { retryAfterMs } : {}),
      ...extra,
      context,
    });
  if (status === 401) return fail("unauthorized", false, { reauthRequired: true });
  if (status === 403) return fail("forbidden", false);
  if (status === 404) return fail("not_found", false);
  if (status === 409) return fail("conflict", true);
  if (status === 429) return fail("rate_limited", true);
  if (status === 408 || status >= 500) return fail("provider_unavailable", true);
  return fail("provider_rejected", false);
}

/** A request that never got an answer (DNS, refused, reset, timeout): retryable. */
export function networkError(provider: string, err: unknown): AppError {
  const timedOut = err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError");
  const message = err instanceof Error ? err.message : String(err);
  return new ProviderError(
    provider,
    timedOut ? "provider_timeout" : "network_error",
    `Could not reach ${provider}: ${message}`,
    { retryable: true, cause: err, context: { timedOut } },
  );
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/**
 * The provider HTTP client: one configured timeout (a request may only lower it), every call
 * timed and logged once through `timeProviderCall`, network failures and error statuses turned
 * into `AppError`s with `retryable`, `retryAfterMs` and `reauthRequired`. It does not retry:
 * tasks own retries (their policy plus `retryAfterMs`).
 */
export function createProviderHttpClient(options: ProviderHttpOptions = {}): ProviderHttpClient {
  const timeoutMs = options.timeoutMs ?? DEFAULT_PROVIDER_TIMEOUT_MS;
  const doFetch = options.fetch ?? ((input, init) => fetch(input, init));
  return {
    request(request) {
      const info = {
        provider: request.provider,
        operation: request.operation,
        ...(options.logger ? { logger: options.logger } : {}),
      };
      return timeProviderCall(info, async () => {
        let raw: Response;
        try {
          raw = await doFetch(request.url, {
            method: request.method ?? "GET",
            ...(request.headers ? { headers: request.headers } : {}),
            ...(request.body === undefined ? {} : { body: request.body }),
            signal: AbortSignal.timeout(Math.min(timeoutMs, request.timeoutMs ?? timeoutMs)),
          });
        } catch (err) {
          throw networkError(request.provider, err);
        }
        let text: string;
        try {
          text = await raw.text();
        } catch (err) {
          throw networkError(request.provider, err);
        }
        const requestId =
          REQUEST_ID_HEADERS.map((name) => raw.headers.get(name)).find((v): v is string => Boolean(v)) ??
          undefined;
        const response: ProviderResponse = {
          status: raw.status,
          ok: raw.ok,
          headers: raw.headers,
          text,
          json: parseJson(text),
          requestId,
        };
        const failure = (request.failure ?? ((r) => classifyHttpFailure(request.provider, r)))(response);
        if (failure) {
          // The provider's explanation is quoted in the message; some quote the key they refused.
          failure.message = withoutSecrets(failure.message, requestSecrets(request));
          throw Object.assign(failure, { status: response.status, ...(requestId ? { requestId } : {}) });
        }
        return { value: response, status: response.status, ...(requestId ? { requestId } : {}) };
      });
    },
  };
}
