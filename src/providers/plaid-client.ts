import { Configuration, CountryCode, PlaidApi, Products } from "plaid";
import { ProviderError } from "../errors.ts";
import { timeProviderCall } from "../observability/time-provider-call.ts";

/**
 * The official Plaid client for tasks: keys in the `PLAID-CLIENT-ID`/`PLAID-SECRET` headers,
 * `basePath` from `PLAID_API_URL` (a simulator, sandbox or production). The SDK never retries.
 * Every API method is timed and logged once through `timeProviderCall` (operation = the method,
 * `authGet`, `linkTokenCreate`…; status and Plaid's `request_id` when known).
 */
export function createPlaidClient(fields: Record<string, string>, basePath: string): PlaidApi {
  const api = new PlaidApi(
    new Configuration({
      basePath,
      baseOptions: {
        headers: {
          "PLAID-CLIENT-ID": fields.client_id ?? "",
          "PLAID-SECRET": fields.secret ?? "",
          "Plaid-Version": "2020-09-14",
        },
        timeout: 10_000,
      },
    }),
  );
  return new Proxy(api, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== "function" || typeof property !== "string" || property === "constructor")
        return value;
      return (...args: unknown[]) =>
        timeProviderCall({ provider: "plaid", operation: property }, async () => {
          const response = (await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args)) as {
            status?: number;
            data?: { request_id?: string };
          };
          return {
            value: response,
            ...(typeof response?.status === "number" ? { status: response.status } : {}),
            ...(response?.data?.request_id ? { requestId: response.data.request_id } : {}),
          };
        });
    },
  });
}

/** Link for bank verification: Auth, United States. */
export const PLAID_BANK_LINK = { products: [Products.Auth], countryCodes: [CountryCode.Us] };

/**
 * A failed Plaid call as an `AppError`: 429 and 5xx (and no answer) are retryable; other errors
 * carry Plaid's `error_code` (e.g. `ITEM_LOGIN_REQUIRED`, `INVALID_PUBLIC_TOKEN`) and are not.
 */
export function classifyPlaidError(err: unknown): ProviderError {
  const response = (
    err as { response?: { status?: number; data?: { error_code?: string; error_type?: string } } }
  ).response;
  const status = response?.status;
  const code = response?.data?.error_code ?? (status ? `http_${status}` : "network_error");
  const retryable = !status || status === 429 || status >= 500;
  return new ProviderError("plaid", code, `Plaid answered ${status ?? "nothing"}: ${code}`, {
    retryable,
    cause: err,
    context: { status, errorType: response?.data?.error_type },
  });
}
