import { AppError, ConfigError, NotFoundError } from "../errors.ts";
import { recordMalformedWebhook } from "../inbox/record-malformed-webhook.ts";
import { recordWebhookEvent } from "../inbox/record-webhook-event.ts";
import { logger } from "../observability/logger.ts";
import { WebhookVerificationError } from "../providers/webhook-verification-error.ts";
import { getIngressDeps, type IngressDeps } from "./ingress-deps.ts";
import { jsonResponse } from "./json-response.ts";
import { PayloadTooLargeError, readCappedBody } from "./read-capped-body.ts";

export interface ParsedEvent {
  dedupeKey: string;
  type: string;
  tenantId: string | null;
}

export interface WebhookSpec {
  provider: string;
  taskId: string;
  /** Verifies the raw bytes; throws WebhookVerificationError, or ConfigError for a missing secret. */
  verify(raw: string, request: Request, deps: IngressDeps, params: Record<string, string>): Promise<void>;
  /** Minimal parse of a verified body: the event's identity, or `{ ignored }` for irrelevant types. */
  parse(
    raw: string,
    body: unknown,
    deps: IngressDeps,
    params: Record<string, string>,
  ): Promise<ParsedEvent | { ignored: string }>;
}

/**
 * The one pipeline every provider handler runs: POST only → body capped at 1 MiB
 * → verify the raw bytes → parse the minimum → store under the dedupe key → trigger the
 * processing task (idempotency key = dedupe key, concurrency key = tenant) → 200. Nothing is
 * acknowledged before it is stored; storage or trigger failures answer 503 so the provider
 * retries. A verified but malformed body is kept as `malformed` and acknowledged (retrying
 * cannot fix it); it never starts a run.
 */
export async function ingestWebhook(
  request: Request,
  params: Record<string, string>,
  spec: WebhookSpec,
): Promise<Response> {
  const log = logger.child({
    provider: spec.provider,
    ...(params.tenantId ? { tenantId: params.tenantId } : {}),
  });
  if (request.method !== "POST") return jsonResponse(405, { error: "Method not allowed" }, { allow: "POST" });
  let raw: string;
  let deps: IngressDeps;
  try {
    raw = await readCappedBody(request);
    deps = await getIngressDeps();
    await spec.verify(raw, request, deps, params);
  } catch (err) {
    if (err instanceof PayloadTooLargeError) return jsonResponse(413, { error: err.message });
    if (err instanceof WebhookVerificationError) {
      log.warn("webhook rejected", { reason: err.reason });
      return jsonResponse(err.code === "validation_failed" ? 400 : 401, { error: err.message });
    }
    if (err instanceof NotFoundError) return jsonResponse(404, { error: err.message });
    if (err instanceof ConfigError) {
      log.error("webhook refused: verification is not configured", { err });
      return jsonResponse(500, { error: "Webhook verification is not configured" });
    }
    log.error("webhook could not be verified now", { err });
    return jsonResponse(503, { error: "Temporarily unavailable" });
  }
  let parsed: ParsedEvent | { ignored: string } | undefined;
  let problem = "body is not JSON";
  try {
    parsed = await spec.parse(raw, JSON.parse(raw), deps, params);
  } catch (err) {
    if (!(err instanceof SyntaxError)) problem = err instanceof Error ? err.message : String(err);
  }
  try {
    if (!parsed) {
      log.error("signed webhook is malformed; kept for inspection", { problem });
      await recordMalformedWebhook(deps.db, spec.provider, raw, problem);
      return jsonResponse(200, { received: true, error: "malformed" });
    }
    if ("ignored" in parsed) return jsonResponse(200, { ignored: parsed.ignored });
    const stored = await recordWebhookEvent(deps.db, {
      provider: spec.provider,
      dedupeKey: parsed.dedupeKey,
      tenantId: parsed.tenantId,
      type: parsed.type,
      payload: JSON.parse(raw),
    });
    // A duplicate whose first delivery may not have been enqueued is triggered again; the
    // idempotency key makes that a no-op when it was.
    if (!stored.duplicate || stored.status === "received") {
      await deps.jobs.trigger(
        spec.taskId,
        { eventId: stored.id },
        {
          idempotencyKey: `${spec.provider}:${parsed.dedupeKey}`,
          concurrencyKey: parsed.tenantId ?? "platform",
        },
      );
    }
    return jsonResponse(200, { received: true, eventId: stored.id, duplicate: stored.duplicate });
  } catch (err) {
    log.error("webhook could not be stored or enqueued; the provider will retry", { err });
    const status = err instanceof AppError && !err.retryable && err.code === "trigger_rejected" ? 500 : 503;
    return jsonResponse(status, { error: "Temporarily unavailable" });
  }
}
