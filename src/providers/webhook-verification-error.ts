import { AppError } from "../errors.ts";

/**
 * Why an inbound webhook could not be verified. `missing_header`/`malformed_header` → 400,
 * `invalid_signature`/`stale_timestamp`/`future_timestamp` → 401. The message never contains
 * the expected signature or the secret.
 */
export type VerificationFailure =
  | "missing_header"
  | "malformed_header"
  | "invalid_signature"
  | "stale_timestamp"
  | "future_timestamp";

export class WebhookVerificationError extends AppError {
  readonly reason: VerificationFailure;
  constructor(provider: string, reason: VerificationFailure, message: string) {
    super(
      reason === "missing_header" || reason === "malformed_header"
        ? "validation_failed"
        : "invalid_signature",
      message,
      { retryable: false, context: { provider, reason } },
    );
    this.reason = reason;
  }
}

/** Checks a signing time against now: at most `toleranceMs` old and at most `toleranceMs` ahead. */
export function checkTimestamp(
  provider: string,
  signedAtMs: number,
  nowMs: number,
  toleranceMs: number,
): void {
  if (!Number.isFinite(signedAtMs))
    throw new WebhookVerificationError(provider, "malformed_header", "Bad timestamp");
  if (nowMs - signedAtMs > toleranceMs) {
    throw new WebhookVerificationError(provider, "stale_timestamp", "Webhook timestamp is too old");
  }
  if (signedAtMs - nowMs > toleranceMs) {
    throw new WebhookVerificationError(provider, "future_timestamp", "Webhook timestamp is in the future");
  }
}
