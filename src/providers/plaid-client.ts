import { Configuration, CountryCode, PlaidApi, Products } from "plaid";
import { ProviderError } from "../errors.ts";

/**
 * The official Plaid client for tasks: keys in the `PLAID-CLIENT-ID`/`PLAID-SECRET` headers,
 * `basePath` from `PLAID_API_URL` (a simulator, sandbox or production). The SDK never retries.
 */
export function createPlaidClient(fields: Record<string, string>, basePath: string): PlaidApi {
  return new PlaidApi(
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
