import { inboundRoutes } from "../capabilities/inbound-routes.ts";
import { fromUtf8 } from "../crypto/encoding.ts";
import { AppError, ConfigError, NotFoundError } from "../errors.ts";
import { recordMalformedWebhook } from "../inbox/record-malformed-webhook.ts";
import { recordWebhookEvent } from "../inbox/record-webhook-event.ts";
import { logger } from "../observability/logger.ts";
import { WebhookVerificationError } from "../providers/webhook-verification-error.ts";
import type { EventIdentity, InboundProvider } from "./inbound-provider.ts";
import { inboxTaskId } from "./inbound-providers.ts";
import { getIngressDeps, type IngressDeps } from "./ingress-deps.ts";
import { jsonResponse } from "./json-response.ts";
import { PayloadTooLargeError, readCappedBody } from "./read-capped-body.ts";

/** The body as UTF-8 JSON and the event it is, or why it is not one (the content's fault). */
async function identify(
  provider: InboundProvider,
  body: Uint8Array<ArrayBuffer>,
): Promise<{ json: string; parsed: unknown; identity: EventIdentity } | { problem: string }> {
  let json: string;
  try {
    json = fromUtf8(body);
  } catch {
    return { problem: "body is not valid UTF-8" };
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return { problem: "body is not JSON" };
  }
  try {
    return { json, parsed, identity: await provider.identify(parsed, body) };
  } catch (err) {
    return { problem: err instanceof Error ? err.message.slice(0, 1_000) : String(err) };
  }
}

/** What the platform serving a handler offers it (Workers' `ctx`, Vercel's `@vercel/functions`). */
export interface HandlerContext {
  /**
   * Keeps the platform running `promise` after the response is sent (Cloudflare
   * `ExecutionContext.waitUntil`, Vercel `waitUntil`). When given, a stored event is acknowledged
   * without waiting for its trigger (decision 031).
   */
  waitUntil?: (promise: Promise<unknown>) => void;
}

/**
 * The one pipeline every provider door runs: POST only → body capped at 1 MiB → verify the exact
 * bytes → identify the event → accept only types some capability handles → resolve the tenant →
 * store under the dedupe key (scoped by tenant for per-tenant providers) → trigger the processing
 * task (idempotency key = dedupe key, concurrency key = tenant) → 200. Nothing is acknowledged
 * before it is stored; storage, tenant lookup or trigger failures answer 503 so the provider
 * retries. A verified body that is not an event is kept as `malformed` (its bytes) and
 * acknowledged: retrying cannot fix it. `env` is the handler environment (Cloudflare's `env`;
 * default `process.env`). Where the platform offers `waitUntil` (`context`), the trigger runs after
 * the answer: the event is stored either way, and one whose trigger failed or never ran stays
 * `received` until `inbox-redeliver-stranded` triggers it with the same idempotency key.
 */
export async function ingestWebhook(
  request: Request,
  params: Record<string, string>,
  provider: InboundProvider,
  env?: Record<string, string | undefined>,
  context: HandlerContext = {},
): Promise<Response> {
  const log = logger.child({
    provider: provider.id,
    ...(params.tenantId ? { tenantId: params.tenantId } : {}),
  });
  if (request.method !== "POST") return jsonResponse(405, { error: "Method not allowed" }, { allow: "POST" });
  let body: Uint8Array<ArrayBuffer>;
  let deps: IngressDeps;
  try {
    body = await readCappedBody(request);
    deps = await getIngressDeps(env);
    await provider.verify(body, request, deps, params);
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
  const event = await identify(provider, body);
  try {
    if ("problem" in event) {
      log.error("signed webhook is malformed; kept for inspection", { problem: event.problem });
      await recordMalformedWebhook(deps.db, provider.id, body, event.problem);
      return jsonResponse(200, { received: true, error: "malformed" });
    }
    const { type } = event.identity;
    if (!(deps.inboundRoutes ?? inboundRoutes).accepts(provider.id, type))
      return jsonResponse(200, { ignored: type });
    // A path's tenant id is a UUID, which verifies in either letter case: one case, one event.
    const tenantId = provider.resolveTenant
      ? await provider.resolveTenant(event.parsed, deps)
      : (params.tenantId?.toLowerCase() ?? null);
    // Per-tenant providers: one tenant's signed event can never pre-empt another tenant's.
    const dedupeKey = provider.perTenant
      ? `${tenantId}:${event.identity.dedupeKey}`
      : event.identity.dedupeKey;
    const stored = await recordWebhookEvent(deps.db, {
      provider: provider.id,
      dedupeKey,
      tenantId,
      type,
      body,
      json: event.json,
    });
    // A duplicate whose first delivery may not have been enqueued is triggered again; the
    // idempotency key makes that a no-op when it was.
    if (!stored.duplicate || stored.status === "received") {
      const enqueue = deps.jobs.trigger(
        inboxTaskId(provider.id),
        { eventId: stored.id },
        { idempotencyKey: `${provider.id}:${dedupeKey}`, concurrencyKey: tenantId ?? "platform" },
      );
      if (context.waitUntil) {
        context.waitUntil(
          enqueue.catch((err) =>
            log.error("stored webhook not enqueued; inbox-redeliver-stranded will trigger it", {
              err,
              eventId: stored.id,
            }),
          ),
        );
      } else await enqueue;
    }
    return jsonResponse(200, { received: true, eventId: stored.id, duplicate: stored.duplicate });
  } catch (err) {
    log.error("webhook could not be stored or enqueued; the provider will retry", { err });
    const status = err instanceof AppError && !err.retryable && err.code === "trigger_rejected" ? 500 : 503;
    return jsonResponse(status, { error: "Temporarily unavailable" });
  }
}
