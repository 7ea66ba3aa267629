import type { ProviderResponse } from "../providers/provider-http-client.ts";

/**
 * The PayPal batch id named by an answer refusing a reused `sender_batch_id`, or undefined when
 * the answer is not that refusal.
 *
 * UNCONFIRMED: PayPal documents that a reused `sender_batch_id` is rejected with a link to the
 * original batch, but not the error's name or shape. We accept a 400/409/422 whose name is
 * `USER_BUSINESS_ERROR` or `DUPLICATE_REQUEST_ID` (or whose message mentions sender_batch_id) and
 * read the batch id from a `/v1/payments/payouts/{id}` link. Re-check against a real sandbox.
 */
export function payPalDuplicateBatchId(response: ProviderResponse): string | undefined {
  if (![400, 409, 422].includes(response.status)) return undefined;
  const body = response.json as { name?: string; message?: string; links?: { href?: string }[] } | undefined;
  const looksDuplicate =
    body?.name === "USER_BUSINESS_ERROR" ||
    body?.name === "DUPLICATE_REQUEST_ID" ||
    /sender_batch_id/i.test(body?.message ?? "");
  if (!looksDuplicate) return undefined;
  for (const link of body?.links ?? []) {
    const match = /\/v1\/payments\/payouts\/([A-Za-z0-9]+)$/.exec(link.href ?? "");
    if (match) return match[1];
  }
  return undefined;
}
